import ArgumentParser
import Filter
import Foundation
import Logging
import MIME
import MoatCore
import SpamEngine

/// `moat scan FILE…|DIR…|-`: checks messages offline with the same checks as the gateway,
/// the rule set compiled once for all files; a directory or Maildir is read as `learn`
/// reads one. Exit status: the worst of all messages, 0 clean, 1 spam (score ≥
/// required_score), 2 virus or banned, 3 error (unreadable path, configuration, scanner).
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan", abstract: "Scan messages offline and print the verdict.",
        discussion: """
            Directories are scanned file by file (a Maildir's cur/ and new/), in name order.

            Exit status: the worst verdict over all messages: 0 clean, 1 spam, 2 virus or banned content, \
            3 error (an unreadable path, an invalid configuration, an antivirus that cannot start); \
            64 usage error. Unlike the other commands, 1 here is a verdict, not a failure.
            """)
    @OptionGroup var options: ConfigOption
    @Flag(help: "One JSON object per line.") var json = false
    @Flag(help: "Explain the score like `spamassassin -t`: every rule hit with its points.") var explain = false
    @Argument(help: "Message files, directories or Maildirs; - reads standard input.") var files: [String] = ["-"]

    func run() async throws {
        let config = try loadConfig(options.config, failureStatus: 3)
        var logger = Logger(label: "moat.scan")
        logger.logLevel = .error
        let checker: ContentChecker
        let engine = Components.spamEngine(config, logger: logger)
        do {
            checker = try Components.checker(config, scanner: try Components.virusScanner(config, logger: logger),
                                             spam: engine)
        } catch {
            printError("moat scan: \(error)")
            throw ExitCode(3)
        }
        let required = config.spam.requiredScore
        var worst: Int32 = 0
        let found = Self.messageFiles(files)
        for problem in found.problems {
            printError("moat scan: \(problem)")
            worst = 3
        }
        for file in found.files {
            let status: Int32
            do {
                let report = try await checker.check(MIMEMessage.parse(try Self.read(file)))
                // What this message taught Bayes is learned before the next is judged: a
                // batch gives the same verdicts however fast the disk is, and none is lost at exit.
                await engine.waitForAutolearn(expiring: false)
                if json {
                    sayJSON(ScanOutput.json(file, report, required: required))
                } else if explain {
                    say("\(lines: ScanOutput.explanation(file, report, required: required))")
                } else {
                    say("\(ScanOutput.line(file, report, required: required))")
                }
                switch report.category {
                case .virus, .banned: status = 2
                default: status = report.spam.score >= required ? 1 : 0
                }
            } catch {
                printError("moat scan: \(file): \(error)")
                status = 3
            }
            worst = max(worst, status)
        }
        await engine.waitForAutolearn()
        if worst != 0 { throw ExitCode(worst) }
    }

    /// The arguments in order, each directory replaced by its message files as `learn`
    /// walks them; `-` stays for standard input.
    static func messageFiles(_ arguments: [String]) -> MessageFiles {
        var all = MessageFiles([])
        for argument in arguments {
            let found = argument == "-" ? MessageFiles(files: ["-"]) : MessageFiles([argument])
            all.files += found.files
            all.problems += found.problems
        }
        return all
    }

    static func read(_ file: String) throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        return try DurableFile.contents(of: file)
    }
}

/// The three output forms of `moat scan`.
enum ScanOutput {
    static func line(_ file: String, _ report: ContentReport, required: Double) -> String {
        var line = "\(file): \(report.category.logName)"
        if let detail = report.detail { line += " (\(detail))" }
        let tests = report.spam.hits.map { "\($0.name)=\(ScoreText.format($0.score))" }
        line += " score=\(ScoreText.format(report.spam.score)) required=\(ScoreText.format(required))"
        line += " tests=[\(tests.isEmpty ? "none" : tests.joined(separator: ","))]"
        return line
    }

    static func json(_ file: String, _ report: ContentReport, required: Double) -> Data {
        let object: [String: Any] = [
            "file": file,
            "category": report.category.logName,
            "score": (report.spam.score * 1000).rounded() / 1000,
            "spam": report.spam.score >= required,
            "tests": report.spam.hits.map(\.name),
            "virus": report.virusNames,
            "banned": report.bannedNames,
            "undecipherable": report.undecipherable,
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
    }

    /// `spamassassin -t`'s "Content analysis details" table, one element a line.
    static func explanation(_ file: String, _ report: ContentReport, required: Double) -> [String] {
        var lines = ["\(file): \(report.category.logName)" + (report.detail.map { " (\($0))" } ?? ""), ""]
        lines.append("Content analysis details:   (\(String(format: "%.1f", report.spam.score)) points, "
            + "\(String(format: "%.1f", required)) required)")
        lines.append("")
        lines.append(" pts rule name              description")
        lines.append("---- ---------------------- --------------------------------------------------")
        for hit in report.spam.hits {
            let points = String(format: "%4.1f", hit.score)
            let name = hit.name.padding(toLength: max(22, hit.name.count), withPad: " ", startingAt: 0)
            lines.append("\(points) \(name) \(hit.description)")
        }
        lines.append("")
        return lines
    }
}
