import Foundation
import IMAP
import Mailstore
@testable import IMAPServer

/// A mailbox for search tests: index entries plus the message bytes, with the few changes
/// imaptest's scripts make (STORE, EXPUNGE, APPEND), each raising MODSEQ like the store does.
struct SearchTestMailbox {
    private(set) var messages: [IndexedMessage] = []
    private(set) var files: [MessageUID: [UInt8]] = [:]
    private(set) var uidNext: MessageUID = 1
    private(set) var highestModSeq: ModSeq = 1

    /// Appends `text` (LF line ends become CRLF, as IMAP APPEND sends them).
    @discardableResult
    mutating func append(
        _ text: String, flags: MessageFlags = [], keywords: [String] = [], internalDate: Double = 1_200_000_000
    ) -> MessageUID {
        let bytes = Array(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let uid = uidNext
        uidNext += 1
        highestModSeq += 1
        messages.append(IndexedMessage(
            uid: uid, flags: flags, keywords: keywords.sorted(), modSeq: highestModSeq, size: Int64(bytes.count),
            internalDate: internalDate, baseName: "test.\(uid)"))
        files[uid] = bytes
        return uid
    }

    /// STORE FLAGS/+FLAGS/-FLAGS on message numbers; only changed messages get a new MODSEQ.
    mutating func store(sequences: [Int], mode: String, flags: [String]) {
        var system: MessageFlags = []
        var keywords: [String] = []
        for flag in flags {
            if let known = MessageFlags(imapName: flag) { system.insert(known) } else if !flag.hasPrefix("\\") { keywords.append(flag) }
        }
        for sequence in sequences {
            var message = messages[sequence - 1]
            let before = message
            switch mode {
            case "+":
                message.flags.formUnion(system)
                message.keywords = Array(Set(message.keywords).union(keywords)).sorted()
            case "-":
                message.flags.subtract(system)
                message.keywords = message.keywords.filter { !keywords.contains($0) }
            default:
                message.flags = system
                message.keywords = Array(Set(keywords)).sorted()
            }
            if message != before {
                highestModSeq += 1
                message.modSeq = highestModSeq
            }
            messages[sequence - 1] = message
        }
    }

    /// EXPUNGE: removes \Deleted messages, returning their sequence numbers as sent.
    mutating func expunge() -> [Int] {
        var expunged: [Int] = []
        var index = messages.count - 1
        while index >= 0 {
            if messages[index].flags.contains(.deleted) {
                files[messages[index].uid] = nil
                messages.remove(at: index)
                expunged.append(index + 1)
            }
            index -= 1
        }
        return expunged
    }

    /// An evaluator over the current messages; `readLog` collects the UIDs whose file was read.
    func evaluator(
        savedResult: Set<MessageUID> = [], timeZone: TimeZone = TimeZone(identifier: "UTC")!, now: Double = 1_300_000_000,
        readLog: ReadLog = ReadLog(), recent: Set<MessageUID> = []
    ) -> SearchEvaluator {
        let files = files
        var context = SearchContext(messages: messages, savedResult: savedResult, timeZone: timeZone, now: now)
        context.recent = recent
        return SearchEvaluator(context: context) { uid in
            readLog.uids.append(uid)
            guard let bytes = files[uid] else { throw MissingFile(uid: uid) }
            return bytes
        }
    }

    struct MissingFile: Error { var uid: MessageUID }

    /// The messages of an mbox file (`From ` lines separate them; the separator's date is the
    /// internal date, read as UTC, as imaptest appends them).
    static func mboxMessages(_ mbox: String) -> [(text: String, internalDate: Double)] {
        var result: [(String, Double)] = []
        var current: [Substring] = []
        var date: Double = 0
        func flush() {
            guard !current.isEmpty || date != 0 else { return }
            var lines = current
            if lines.last == "" { lines.removeLast() }
            result.append((lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n"), date))
        }
        for line in mbox.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("From ") {
                if !current.isEmpty { flush() }
                current = []
                date = fromLineDate(line)
            } else {
                current.append(line)
            }
        }
        if current.last == "" { current.removeLast() }
        flush()
        return result
    }

    /// `From user@domain  Fri Feb 22 17:06:23 2008 [+0200]` → Unix seconds (no zone: UTC).
    private static func fromLineDate(_ line: Substring) -> Double {
        let words = line.split(separator: " ")
        guard words.count >= 6, let day = Int(words[4]), let year = Int(words[6 < words.count ? 6 : 5]) else { return 0 }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let month = (months.firstIndex(of: String(words[3])) ?? 0) + 1
        let time = words[5].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3 else { return 0 }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        var zone = 0
        if words.count > 7, let value = Int(words[7].dropFirst()) {
            zone = (value / 100 * 3600 + value % 100 * 60) * (words[7].hasPrefix("-") ? -1 : 1)
        }
        return Double(days * 86_400 + Int64(time[0] * 3600 + time[1] * 60 + time[2] - zone))
    }
}

/// The UIDs whose file an evaluator read, in order (a class: the reader closure escapes).
final class ReadLog: @unchecked Sendable {
    var uids: [MessageUID] = []
}

/// Parses one client command line with the real IMAP grammar.
func parseCommand(_ line: String, file: StaticString = #filePath, lineNumber: UInt = #line) -> TaggedCommand? {
    var parser = CommandParser()
    parser.feed(Array((line + "\r\n").utf8))
    guard case .command(let command)? = parser.next() else { return nil }
    return command
}

/// How the server would write an untagged response, as text.
func encoded(_ response: UntaggedResponse) -> String {
    String(decoding: ResponseEncoder().encode(.untagged(response)), as: UTF8.self).trimmingCharacters(in: .newlines)
}

extension SearchTestMailbox {
    /// A mailbox holding `texts` in order, internal dates one hour apart from `firstDate`.
    init(_ texts: [String], firstDate: Double = 1_200_000_000) {
        self.init()
        for (index, text) in texts.enumerated() { append(text, internalDate: firstDate + Double(index) * 3600) }
    }

    /// The sequence numbers `key` matches (command text, e.g. `FROM "x" NOT SEEN`).
    func search(_ key: String, readLog: ReadLog = ReadLog(), timeZone: TimeZone = TimeZone(identifier: "UTC")!,
                savedResult: Set<MessageUID> = [], now: Double = 1_300_000_000) throws -> [UInt32] {
        guard case .search(let command)? = parseCommand("t SEARCH " + key)?.command else { throw UnparsableKey(key: key) }
        return try evaluator(savedResult: savedResult, timeZone: timeZone, now: now, readLog: readLog)
            .search(command.key, charset: command.charset).numbers(byUID: false)
    }

    struct UnparsableKey: Error { var key: String }
}
