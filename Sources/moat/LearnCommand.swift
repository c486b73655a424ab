import ArgumentParser
import Foundation
import MoatCore
import SpamEngine

/// `moat learn --spam|--ham|--forget PATH…`, `moat learn --stats`: trains the Bayes
/// database like `sa-learn`. PATHs are message files (an mbox `From ` first line is
/// skipped), directories (every file below them) or Maildirs (`cur/` and `new/`).
struct LearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn", abstract: "Train the Bayes classifier (like sa-learn).",
        discussion: "One message per file. After learning, tokens beyond [bayes] max_tokens are expired, oldest first.")
    @OptionGroup var options: ConfigOption
    @Flag(help: "Learn the messages as spam.") var spam = false
    @Flag(help: "Learn the messages as ham (non-spam).") var ham = false
    @Flag(help: "Forget previously learned messages.") var forget = false
    @Flag(help: "Print the database counts.") var stats = false
    @Option(help: "Per-user database rows instead of the site-wide ones.") var user = ""
    @Argument(help: "Message files, directories or Maildirs.") var paths: [String] = []

    func validate() throws {
        let modes = [spam, ham, forget, stats].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("Give exactly one of --spam, --ham, --forget, --stats.") }
        if !stats && paths.isEmpty { throw ValidationError("Give at least one PATH.") }
    }

    func run() throws {
        let config = try loadConfig(options.config)
        let filter: BayesFilter
        do {
            filter = try BayesFilter(settings: config.bayes, user: user)
        } catch {
            printError("moat learn: \(config.bayes.database): \(error)")
            throw ExitCode(1)
        }
        if stats {
            try printStats(filter.store)
            return
        }
        let files = Self.messageFiles(paths)
        let progress = Progress(total: files.count, enabled: isatty(1) != 0)
        var changed = 0, examined = 0, failed = 0
        for file in files {
            defer { progress.step() }
            guard let data = FileManager.default.contents(atPath: file) else {
                progress.clear()
                printError("moat learn: cannot read \(file)")
                failed += 1
                continue
            }
            examined += 1
            do {
                let bytes = Array(data)
                if forget {
                    if try filter.forget(bytes) { changed += 1 }
                } else if try filter.learn(bytes, isSpam: spam) != .alreadyLearned {
                    changed += 1
                }
            } catch {
                progress.clear()
                printError("moat learn: \(file): \(error)")
                failed += 1
            }
        }
        progress.clear()
        if !forget {
            let removed = try filter.store.expire(keepingAtMost: config.bayes.maxTokens)
            if removed > 0 { say("Expired \(removed) old token(s)") }
        }
        say("\(forget ? "Forgot" : "Learned") tokens from \(changed) message(s) (\(examined) message(s) examined)")
        if failed > 0 { throw ExitCode(1) }
    }

    func printStats(_ store: BayesStore) throws {
        let s = try store.stats()
        func date(_ t: Int64?) -> String {
            guard let t else { return "-" }
            return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(t)))
        }
        say("nspam:   \(s.nspam)")
        say("nham:    \(s.nham)")
        say("ntokens: \(s.ntokens)")
        say("oldest:  \(date(s.oldestAtime))")
        say("newest:  \(date(s.newestAtime))")
    }

    /// Files under the given paths, sorted; Maildirs contribute `cur/` and `new/` only.
    static func messageFiles(_ paths: [String]) -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                printError("moat learn: no such file or directory: \(path)")
                continue
            }
            guard isDir.boolValue else { out.append(path); continue }
            let maildirParts = ["cur", "new"].map { (path as NSString).appendingPathComponent($0) }
            let roots = maildirParts.contains(where: { fm.fileExists(atPath: $0) }) ? maildirParts : [path]
            for root in roots {
                guard let walker = fm.enumerator(atPath: root) else { continue }
                var found: [String] = []
                while let rel = walker.nextObject() as? String {
                    let name = (rel as NSString).lastPathComponent
                    if name.hasPrefix(".") { continue }
                    let full = (root as NSString).appendingPathComponent(rel)
                    var d: ObjCBool = false
                    if fm.fileExists(atPath: full, isDirectory: &d), !d.boolValue { found.append(full) }
                }
                out += found.sorted()
            }
        }
        return out
    }
}

/// A one-line progress bar on standard output, drawn only on a terminal.
private final class Progress {
    let total: Int
    let enabled: Bool
    var done = 0
    var lastDrawn = -1

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled && total > 1
    }

    func step() {
        done += 1
        guard enabled else { return }
        let width = 40
        let filled = total == 0 ? width : done * width / total
        guard filled != lastDrawn || done == total else { return }
        lastDrawn = filled
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardOutput.write(Data("\r[\(bar)] \(done)/\(total)".utf8))
    }

    func clear() {
        guard enabled, lastDrawn >= 0 else { return }
        FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
        lastDrawn = -1
    }
}
