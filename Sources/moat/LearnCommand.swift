import ArgumentParser
import Foundation
import MoatCore
import SpamEngine

/// `moat learn --spam|--ham|--forget PATH…`, `moat learn --stats`: trains the Bayes
/// database like `sa-learn` (`--user ADDRESS`: a user's own database, as `sa-learn -u`). PATHs are message files (an mbox `From ` first line is
/// skipped), directories (every file below them) or Maildirs (`cur/` and `new/`). A path
/// or message that cannot be read is named with the reason and makes the exit status 1,
/// after everything else was learned.
struct LearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn", abstract: "Train the Bayes classifier (like sa-learn).",
        discussion: """
            One message per file. After learning, tokens beyond [bayes] max_tokens are expired, oldest first. \
            Progress is shown on standard error when it is a terminal.

            Exit status: 0 every message was read (learned, or already learned), 1 a path or message could \
            not be read or stored (named on standard error; the others are still learned) or the \
            configuration is invalid, 64 usage error.
            """)
    @OptionGroup var options: ConfigOption
    @Flag(help: "Learn the messages as spam.") var spam = false
    @Flag(help: "Learn the messages as ham (non-spam).") var ham = false
    @Flag(help: "Forget previously learned messages.") var forget = false
    @Flag(help: "Print the database counts.") var stats = false
    @Option(help: ArgumentHelp("Learn into (or show) this user's own database ([bayes] per_user) instead of the site's.",
                               valueName: "ADDRESS"))
    var user: String?
    @Argument(help: "Message files, directories or Maildirs.") var paths: [String] = []

    func validate() throws {
        let modes = [spam, ham, forget, stats].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("Give exactly one of --spam, --ham, --forget, --stats.") }
        if !stats && paths.isEmpty { throw ValidationError("Give at least one PATH.") }
    }

    func run() throws {
        let config = try loadConfig(options.config)
        guard let filter = try openDatabase(config.bayes) else { return }
        if stats {
            try printStats(filter.store)
            return
        }
        let found = MessageFiles(paths)
        for problem in found.problems { printError("moat learn: \(problem)") }
        let progress = TerminalProgress(forget ? "forgetting" : "learning")
        progress.start(total: found.files.count)
        var tally = LearnTally()
        for file in found.files {
            defer { progress.step() }
            let bytes: [UInt8]
            do {
                bytes = try DurableFile.contents(of: file)
            } catch {
                progress.clear()
                printError("moat learn: skipped: \(error)")
                tally.failed += 1
                continue
            }
            tally.examined += 1
            do {
                if forget {
                    if try filter.forget(bytes) { tally.changed += 1 } else { tally.unchanged += 1 }
                } else if try filter.learn(bytes, isSpam: spam) == .alreadyLearned {
                    tally.unchanged += 1
                } else {
                    tally.changed += 1
                }
            } catch {
                progress.clear()
                printError("moat learn: \(file): skipped: \(error)")
                tally.failed += 1
            }
        }
        progress.clear()
        if !forget {
            let removed = try filter.store.expire(keepingAtMost: config.bayes.maxTokens)
            if removed > 0 { say("Expired \(removed) old token(s)") }
        }
        say("\(tally.summary(forget: forget, spam: spam))")
        if tally.failed > 0 || !found.problems.isEmpty { throw ExitCode(1) }
    }

    /// The site's database, or with `--user` that user's own (created to learn into, never
    /// for `--stats` or `--forget`: nil when it does not exist, said on standard error).
    func openDatabase(_ settings: BayesSettings) throws -> BayesFilter? {
        guard let user else {
            do {
                return try BayesFilter(settings: settings)
            } catch {
                printError("moat learn: \(settings.database): \(error)")
                throw ExitCode(1)
            }
        }
        if !settings.perUser {
            printError("moat learn: note: [bayes] per_user is false: \(user)'s database does not classify mail until it is true")
        }
        let users = BayesUserDatabases(settings: settings)
        do {
            if stats || forget {
                guard let existing = try users.existingFilter(for: user) else {
                    printError("moat learn: \(user) has no Bayes database yet (\(try users.path(for: user)))")
                    return nil
                }
                return existing
            }
            return try users.filter(for: user)
        } catch {
            printError("moat learn: \(error)")
            throw ExitCode(1)
        }
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
}

/// What a `learn` run did, for its closing line (sa-learn's, plus why messages were skipped).
struct LearnTally {
    var changed = 0
    var examined = 0
    /// Already learned as this class (or, forgetting, never learned): nothing to change.
    var unchanged = 0
    /// Unreadable files and database errors, each reported on its own line.
    var failed = 0

    func summary(forget: Bool, spam: Bool) -> String {
        var line = "\(forget ? "Forgot" : "Learned") tokens from \(changed) message(s) (\(examined) message(s) examined"
        if unchanged > 0 {
            line += forget ? ", \(unchanged) not learned before" : ", \(unchanged) already learned as \(spam ? "spam" : "ham")"
        }
        if failed > 0 { line += ", \(failed) skipped on errors" }
        return line + ")"
    }
}
