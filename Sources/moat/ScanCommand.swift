import ArgumentParser
import Filter
import Foundation
import Logging
import MoatCore

/// `moat scan FILE…|-`: checks messages offline with the same checks as the gateway.
/// Exit status: 0 clean, 1 spam, 2 virus or banned, 3 error.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan", abstract: "Scan messages offline and print the verdict.",
        discussion: "Exit status: 0 clean, 1 spam, 2 virus or banned content, 3 error.")
    @OptionGroup var options: ConfigOption
    @Flag(help: "One JSON object per line.") var json = false
    @Argument(help: "Message files; - reads standard input.") var files: [String] = ["-"]

    func run() async throws {
        let config = try loadConfig(options.config, failureStatus: 3)
        var logger = Logger(label: "moat.scan")
        logger.logLevel = .warning
        let checker: ContentChecker
        do {
            checker = try Components.checker(config, scanner: try Components.virusScanner(config, logger: logger))
        } catch {
            printError("moat scan: \(error)")
            throw ExitCode(3)
        }
        var worst: Int32 = 0
        for file in files {
            let status: Int32
            do {
                let bytes = try Self.read(file)
                let report = try await checker.check(bytes)
                print(json ? Self.json(file, report, config) : Self.text(file, report))
                switch report.category {
                case .virus, .banned: status = 2
                case .spam, .spammy: status = report.spam.score >= config.spam.killLevel ? 1 : 0
                default: status = 0
                }
            } catch {
                printError("moat scan: \(file): \(error)")
                status = 3
            }
            worst = Self.combine(worst, status)
        }
        if worst != 0 { throw ExitCode(worst) }
    }

    /// Errors outrank virus, which outranks spam.
    static func combine(_ a: Int32, _ b: Int32) -> Int32 {
        let rank: [Int32: Int] = [0: 0, 1: 1, 2: 2, 3: 3]
        return (rank[b] ?? 0) > (rank[a] ?? 0) ? b : a
    }

    static func read(_ file: String) throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ScanCommandError.unreadable(file)
        }
        return Array(data)
    }

    static func text(_ file: String, _ report: ContentReport) -> String {
        var line = "\(file): \(report.category.logName)"
        if let detail = report.detail { line += " (\(detail))" }
        let tests = report.spam.hits.map { "\($0.name)=\(ScoreText.format($0.score))" }
        line += " score=\(ScoreText.format(report.spam.score)) tests=[\(tests.isEmpty ? "none" : tests.joined(separator: ","))]"
        return line
    }

    static func json(_ file: String, _ report: ContentReport, _ config: MoatConfig) -> String {
        let object: [String: Any] = [
            "file": file,
            "category": report.category.logName,
            "score": (report.spam.score * 1000).rounded() / 1000,
            "spam": report.spam.score >= config.spam.killLevel,
            "tests": report.spam.hits.map(\.name),
            "virus": report.virusNames,
            "banned": report.bannedNames,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

enum ScanCommandError: Error, CustomStringConvertible {
    case unreadable(String)
    var description: String {
        switch self {
        case .unreadable(let path): "cannot read \(path)"
        }
    }
}
