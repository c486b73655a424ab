import ArgumentParser
import Filter
import Foundation
import Logging
import MoatCore
import MX
import Quarantine
import Queue
import SMTP

/// `moat quarantine …`: review, release and expire quarantined mail.
struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "Review and release quarantined mail.",
        subcommands: [List.self, Show.self, Release.self, Delete.self, Purge.self, Stats.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List quarantined messages, newest first.")
        @OptionGroup var options: ConfigOption
        @Option(help: "virus, banned, spam, bad-header or clean.", transform: parseCategory) var category: QuarantineCategory?
        @Option(help: "Only newer than this, e.g. 2d, 12h.", transform: parseAge) var since: TimeInterval?
        @Flag(help: "JSON array output.") var json = false

        func run() throws {
            let store = try openStore(options)
            var filter = QuarantineFilter()
            filter.category = category
            if let since { filter.since = Date().addingTimeInterval(-since) }
            let entries = try store.list(filter)
            if json {
                sayJSON(try encodeJSON(entries))
                return
            }
            for e in entries {
                let released = e.releasedAt == nil ? "" : " released"
                let what = (e.virusNames + e.bannedNames).joined(separator: ",")
                say("\(e.mailID)  \(timestamp(e.time))  \(e.category.rawValue)\(what.isEmpty ? "" : " (\(what))")  score=\(ScoreText.format(e.score))  <\(e.sender)> -> \(e.recipients.map { "<\($0)>" }.joined(separator: ","))  \(e.subject ?? "")\(released)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one quarantined message.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The mail_id, bare or as the logs print it (virus-…).") var reference: String
        @Flag(help: "Print the stored message bytes.") var raw = false

        func run() throws {
            let store = try openStore(options)
            let id = QuarantineReference.mailID(reference)
            guard let entry = try store.entry(id) else { throw notFound(id) }
            if raw {
                let (_, message) = try store.load(id)
                TerminalOutput.writeMessage(message)
                return
            }
            say("""
            mail_id:    \(entry.mailID)
            time:       \(timestamp(entry.time))
            category:   \(entry.category.rawValue)
            sender:     <\(entry.sender)>
            recipients: \(entry.recipients.map { "<\($0)>" }.joined(separator: ", "))
            subject:    \(entry.subject ?? "")
            message-id: \(entry.messageID ?? "")
            score:      \(ScoreText.format(entry.score))
            tests:      \(entry.tests.joined(separator: ", "))
            virus:      \(entry.virusNames.joined(separator: ", "))
            banned:     \(entry.bannedNames.joined(separator: ", "))
            size:       \(entry.size)
            origin:     \(entry.origin.rawValue)
            released:   \(entry.releasedAt.map { "\(timestamp($0)) to \((entry.releasedTo ?? []).joined(separator: ", "))" } ?? "no")
            """)
            for r in try store.releases(of: id) {
                say("release:    \(timestamp(r.time)) by \(r.releasedBy) to \(r.recipients.joined(separator: ", ")) via \(r.route)")
            }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a quarantined message on to its recipients (or --to), the way it came.",
            discussion: """
                A message the gateway quarantined goes to [filter] reinject; one the MX \
                quarantined goes into Moat's queue. It is not filtered again. A virus, or a \
                message released before to the same recipients, needs --force. Each release is recorded (who, when, \
                to whom) and logged.
                """)
        @OptionGroup var options: ConfigOption
        @Argument(help: "The mail_id, bare or as the logs print it (virus-…).") var reference: String
        @Option(help: "Deliver to this address instead (repeatable).") var to: [String] = []
        @Flag(help: "Release a virus, or a message released before.") var force = false

        func validate() throws {
            for rcpt in to where EmailAddress(parsing: rcpt) == nil { throw ValidationError("--to '\(rcpt)' is not an address") }
        }

        func run() async throws {
            let config = try loadConfig(options.config)
            let store = try Components.quarantine(config)
            let recipients = to.compactMap { EmailAddress(parsing: $0) }
            let logger = Logger(label: "moat.release")
            let releaser = QuarantineReleaser(store: store, logger: logger) { origin -> any MessageRelay in
                origin == .mx
                    ? QueueInjection(spool: Spool(directory: config.storage.queueDirectory))
                    : try Components.relay(config, logger: logger)
            }
            do {
                let record = try await releaser.release(QuarantineReleaser.Request(
                    reference: reference, recipients: recipients, force: force, releasedBy: LoginName.current))
                say("released \(record.mailID) to \(record.recipients.map { "<\($0)>" }.joined(separator: ",")) via \(record.route)")
            } catch let refusal as QuarantineReleaser.Refusal {
                printError("moat: \(refusal)")
                throw ExitCode(1)
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a quarantined message.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The mail_id, bare or as the logs print it (virus-…).") var reference: String

        func run() throws {
            let store = try openStore(options)
            let id = QuarantineReference.mailID(reference)
            guard try store.entry(id) != nil else { throw notFound(id) }
            try store.delete(id)
            say("deleted \(id)")
        }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete messages older than an age.",
            discussion: """
                `moat serve` runs this itself with [quarantine] max_age, at start-up and every purge_interval. \
                Progress is shown on standard error when it is a terminal.

                Exit status: 0 purged, 1 a message could not be removed (the others are) or the configuration is \
                invalid, 64 usage error (no age given and max_age = 0).
                """)
        @OptionGroup var options: ConfigOption
        @Option(name: .customLong("older-than"), help: "e.g. 30d (default: [quarantine] max_age).", transform: parseAge)
        var olderThan: TimeInterval?

        /// Here rather than in `run`, so that the usage shown is `moat quarantine purge`'s.
        func validate() throws {
            guard olderThan == nil, let config = try? MoatConfig.load(path: options.config) else { return }
            if config.quarantine.maxAge == nil {
                throw ValidationError("[quarantine] max_age is 0 (keep forever): give --older-than")
            }
        }

        func run() throws {
            let config = try loadConfig(options.config)
            guard let seconds = olderThan ?? config.quarantine.maxAge?.seconds else { throw ExitCode.validationFailure }  // validate() said why
            let store = try Components.quarantine(config)
            let progress = TerminalProgress("purging")
            defer { progress.clear() }
            let removed = try store.purge(olderThan: Date().addingTimeInterval(-seconds)) { done, total in
                if done == 0 { progress.start(total: total) } else { progress.step() }
            }
            progress.clear()
            say("purged \(removed) message\(removed == 1 ? "" : "s")")
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts and sizes per category.")
        @OptionGroup var options: ConfigOption
        @Flag(help: "JSON output.") var json = false

        func run() throws {
            let stats = try openStore(options).stats()
            if json {
                var object: [String: [String: Int]] = [:]
                for (c, s) in stats { object[c.rawValue] = ["count": s.count, "bytes": s.bytes] }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                sayJSON(data)
                return
            }
            for category in QuarantineCategory.allCases {
                let s = stats[category] ?? QuarantineStats(count: 0, bytes: 0)
                say("\(category.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(s.count) messages, \(s.bytes) bytes")
            }
        }
    }
}

private func openStore(_ options: ConfigOption) throws -> QuarantineStore {
    try Components.quarantine(try loadConfig(options.config))
}

private func notFound(_ id: String) -> Error {
    printError("moat: no quarantined message \(id)")
    return ExitCode(1)
}

/// `--category`: a usage error (with the subcommand's usage) when it names none.
private func parseCategory(_ text: String) throws -> QuarantineCategory {
    guard let category = QuarantineCategory(rawValue: text) else {
        throw ValidationError("unknown category '\(text)' (\(QuarantineCategory.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    return category
}

private func parseAge(_ text: String) throws -> TimeInterval {
    guard let d = DurationText.parse(text) else { throw ValidationError("invalid age '\(text)' (e.g. 2d, 12h, 30m)") }
    return d.seconds
}

private func timestamp(_ date: Date) -> String {
    let f = ISO8601DateFormatter()
    return f.string(from: date)
}

/// amavisd-new's column names (`mail_id`, `released_at`), as its SQL quarantine has them.
private func encodeJSON(_ entries: [QuarantineEntry]) throws -> Data {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(entries)
}
