import ArgumentParser
import Foundation
import MoatCore
import Queue

/// `moat queue …`: the durable queue, as Postfix's mailq/postqueue/postsuper. Works on the
/// spool under `[storage] data_dir` directly; a running scheduler notices flush, release
/// and inject through the spool's wake-up file within about a second, and any other
/// change at its next full rescan (`[queue] queue_run_delay`).
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "List and manage the mail queue.",
        subcommands: [List.self, Show.self, Flush.self, Delete.self, Hold.self, Release.self, Inject.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List queued mail like mailq: ID (! when held), size, arrival, sender, recipients.")
        @OptionGroup var options: ConfigOption

        func run() throws {
            let spool = try openSpool(options)
            let entries = try queueCall { try spool.entries() }
            guard !entries.isEmpty else { return say("Mail queue is empty") }
            say("-Queue ID-        --Size-- ----Arrival Time---- -Sender/Recipient-------")
            for entry in entries { say("\(lines: QueueListing.lines(entry))\n") }
            let kilobytes = (entries.reduce(Int64(0)) { $0 + $1.messageSize } + 1023) / 1024
            say("-- \(kilobytes) Kbytes in \(entries.count) Request\(entries.count == 1 ? "" : "s").")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one message: its envelope, then the message.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Queue ID.") var id: String

        func run() throws {
            let spool = try openSpool(options)
            let entry = try queueCall { () throws -> SpoolEntry in
                guard let entry = try spool.entry(id) else { throw QueueError.notFound(id: id) }
                return entry
            }
            let message = try queueCall { try spool.message(id) }
            // One writer for both, so the envelope cannot trail the message in buffered output.
            say("\(lines: QueueListing.envelope(entry))\n")
            TerminalOutput.writeMessage(message)
        }
    }

    struct Flush: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make every deferred message due now.")
        @OptionGroup var options: ConfigOption

        func run() throws {
            let spool = try openSpool(options)
            let count = try queueCall { try spool.flush() }
            say("flushed \(count) deferred message\(count == 1 ? "" : "s")")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a message from the queue without a bounce.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Queue ID.") var id: String

        func run() throws {
            try onMessage(id, options, done: "deleted") { spool in
                guard try spool.remove(id) else { throw QueueError.notFound(id: id) }
            }
        }
    }

    struct Hold: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keep a message in the queue without delivering it.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Queue ID.") var id: String

        func run() throws {
            try onMessage(id, options, done: "held") { try $0.hold(id) }
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver a held message again, now.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Queue ID.") var id: String

        func run() throws {
            try onMessage(id, options, done: "released") { try $0.release(id) }
        }
    }

    /// Queues a message file as the MX would have (for administrators and tests, like
    /// Postfix's sendmail). Prints the queue ID.
    struct Inject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a message file (- for standard input) for delivery.", shouldDisplay: false)
        @OptionGroup var options: ConfigOption
        @Argument(help: "The message, as bytes; - reads standard input.") var file: String
        @Option(help: "Envelope sender; empty for <>.") var from: String
        @Option(help: "Envelope recipient (repeatable).") var to: [String]

        func validate() throws {
            if !from.isEmpty, EmailAddress(parsing: from) == nil { throw ValidationError("--from '\(from)' is not an address") }
            if to.isEmpty { throw ValidationError("at least one --to is required") }
            for rcpt in to where EmailAddress(parsing: rcpt) == nil { throw ValidationError("--to '\(rcpt)' is not an address") }
        }

        func run() throws {
            let bytes: [UInt8]
            do {
                bytes = file == "-" ? Array(FileHandle.standardInput.readDataToEndOfFile())
                    : try DurableFile.contents(of: file)
            } catch {
                printError("moat: cannot read \(file): \(error)")
                throw ExitCode(1)
            }
            let sender = from.isEmpty ? EmailAddress.null : EmailAddress(parsing: from)!
            let envelope = Envelope(sender: sender, recipients: to.compactMap { EmailAddress(parsing: $0) })
            let spool = try openSpool(options)
            let id = try queueCall { try spool.enqueue(envelope, message: bytes) }
            try queueCall { try spool.wake() }
            say("\(id)")
        }
    }
}

private func openSpool(_ options: ConfigOption) throws -> Spool {
    Spool(directory: try loadConfig(options.config).storage.queueDirectory)
}

/// Runs a spool operation; a `QueueError` goes to stderr with exit status 1.
@discardableResult
private func queueCall<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as QueueError {
        printError("moat: \(error)")
        throw ExitCode(1)
    }
}

/// Runs `action` on message `id` and confirms it as `ID: done`.
private func onMessage(_ id: String, _ options: ConfigOption, done: String,
                       _ action: (Spool) throws -> Void) throws {
    let spool = try openSpool(options)
    try queueCall { try action(spool) }
    say("\(id): \(done)")
}
