import Foundation
import IMAP
import Mailstore
import MoatTestSupport
import XCTest
@testable import IMAPServer

/// The evaluator against the real Dovecot (Debian's `doveadm search`) on a sample of
/// /work/shared/corpus: the same messages in a Maildir Dovecot indexes, the same queries,
/// the same UIDs expected. Skipped when doveadm or the corpus is missing.
final class SearchDovecotComparisonTests: XCTestCase {
    static let corpus = "/work/shared/corpus"
    /// Every query here agrees with Dovecot 2.3 on the sample; `knownDifferences` lists those
    /// that do not, with why.
    static let queries: [[String]] = [
        ["from", "com"], ["from", "yahoo"], ["from", "\"", ], ["to", "spamassassin"], ["to", "zzzz@"], ["cc", "lists"],
        ["subject", "re"], ["subject", "free"], ["subject", "Money"], ["subject", "[SPAM]"],
        ["body", "unsubscribe"], ["body", "click here"], ["body", "linux"], ["text", "linux"], ["body", "the"],
        ["text", "exmh"], ["body", "razor"], ["body", "viagra"], ["body", "remove"], ["body", "http://"],
        ["header", "x-mailer", ""], ["header", "content-type", "html"], ["header", "content-type", "multipart"],
        ["header", "list-id", ""], ["header", "from", "\" <"], ["header", "to", ">, <"], ["header", "from", "@"], ["header", "received", "localhost"], ["header", "message-id", "@"],
        ["sentbefore", "1-Aug-2002"], ["senton", "22-Aug-2002"], ["sentsince", "1-Jan-2010"], ["sentsince", "23-Aug-2002"],
        ["before", "10-Nov-2004"], ["on", "12-Nov-2004"], ["since", "15-Nov-2004"], ["larger", "10000"], ["smaller", "3000"], ["not", "body", "the"],
        ["from", "\" <"], ["from", "> ("], ["to", ">, <"], ["cc", ">, \""], ["text", "boundary"], ["body", "<html"], ["body", "nbsp"],
    ]

    /// The corpus sample in a Maildir Dovecot has indexed, and an evaluator over the same
    /// messages; skips when `binary` (a Dovecot program) or the corpus is missing.
    private func corpusSample(needing binary: String) throws -> (DoveadmMaildir, SearchEvaluator) {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("\(binary) is not installed (Debian: dovecot-core, dovecot-imapd)")
        }
        guard FileManager.default.fileExists(atPath: Self.corpus) else { throw XCTSkip("no corpus at \(Self.corpus)") }
        let dovecot = try DoveadmMaildir(sample: Self.sample())
        let (messages, files) = try dovecot.indexedMessages()
        let evaluator = SearchEvaluator(context: SearchContext(messages: messages, timeZone: TimeZone(identifier: "UTC")!)) { uid in
            guard let bytes = files[uid] else { throw SearchTestMailbox.MissingFile(uid: uid) }
            return bytes
        }
        return (dovecot, evaluator)
    }

    func testSearchAgreesWithDoveadm() throws {
        let (dovecot, evaluator) = try corpusSample(needing: "/usr/bin/doveadm")
        defer { dovecot.remove() }
        var agreed = 0
        for query in Self.queries {
            let theirs = try dovecot.search(query)
            guard case .search(let command)? = parseCommand("t UID SEARCH " + query.map(Self.imapArgument).joined(separator: " "))?.command
            else { return XCTFail("\(query) does not parse") }
            let ours = try evaluator.search(command.key).numbers(byUID: true)
            XCTAssertEqual(ours, theirs, "\(query): only ours \(Set(ours).subtracting(theirs).sorted()), only Dovecot's \(Set(theirs).subtracting(ours).sorted())")
            if ours == theirs { agreed += 1 }
        }
        print("Dovecot comparison: \(agreed) of \(Self.queries.count) queries agree on \(evaluator.context.messages.count) corpus messages")
    }

    static let sortsAndThreads = [
        "SORT (ARRIVAL) UTF-8 ALL", "SORT (DATE) UTF-8 ALL", "SORT (REVERSE DATE) UTF-8 ALL", "SORT (SUBJECT) UTF-8 ALL",
        "SORT (FROM) UTF-8 ALL", "SORT (TO) UTF-8 ALL", "SORT (CC) UTF-8 ALL", "SORT (SIZE) UTF-8 ALL",
        "SORT (DISPLAYFROM) UTF-8 ALL", "SORT (DISPLAYTO) UTF-8 ALL", "SORT (SUBJECT REVERSE SIZE) UTF-8 BODY the",
        "THREAD REFERENCES UTF-8 ALL", "THREAD ORDEREDSUBJECT UTF-8 ALL", "THREAD REFERENCES UTF-8 SUBJECT re",
    ]

    /// SORT and THREAD replies against Dovecot's own `imap` process (PREAUTH on stdin/stdout).
    func testSortAndThreadAgreeWithDovecotIMAP() throws {
        let (dovecot, evaluator) = try corpusSample(needing: "/usr/lib/dovecot/imap")
        defer { dovecot.remove() }
        var agreed = 0
        for line in Self.sortsAndThreads {
            let ours: UntaggedResponse?
            switch parseCommand("t " + line)?.command {
            case .sort(let command)?: ours = try evaluator.reply(to: command, tag: Tag("t")).response
            case .thread(let command)?: ours = try evaluator.reply(to: command)
            default: return XCTFail("\(line) does not parse")
            }
            let theirs = try dovecot.imap(line)
            XCTAssertEqual(ours.map(encoded), theirs, line)
            if ours.map(encoded) == theirs { agreed += 1 }
        }
        print("Dovecot imap comparison: \(agreed) of \(Self.sortsAndThreads.count) SORT/THREAD commands agree on \(evaluator.context.messages.count) corpus messages")
    }

    private static func imapArgument(_ word: String) -> String {
        let atom = !word.isEmpty && word.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !"(){%*\"\\]".utf8.contains($0) }
        return atom ? word : "\"" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Every 25th corpus message by default (165 messages, seconds); set
    /// `MOAT_SEARCH_CORPUS_STRIDE=4` to compare 1,027. Known differences on larger samples,
    /// Dovecot's side: equal TO/DISPLAYTO keys in a long run can come out of sequence order
    /// (its cached sort ids); MIME's side: a Big5 subject with one invalid byte pair is read
    /// as windows-1252 where iconv keeps the rest.
    static var sampleStride: Int { ProcessInfo.processInfo.environment["MOAT_SEARCH_CORPUS_STRIDE"].flatMap { Int($0) } ?? 25 }

    /// Every `sampleStride`th message of each corpus folder, the mbox `From ` line removed.
    private static func sample() throws -> [[UInt8]] {
        var messages: [[UInt8]] = []
        for folder in ["ham", "spam", "hard_ham", "csdmc2010/ham", "csdmc2010/spam"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: "\(corpus)/\(folder)").sorted()
            for name in stride(from: 0, to: names.count, by: sampleStride).map({ names[$0] }) {
                var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(corpus)/\(folder)/\(name)")))
                if bytes.starts(with: Array("From ".utf8)), let end = bytes.firstIndex(of: 0x0A) { bytes.removeSubrange(...end) }
                // Dovecot keeps sent dates in 32 bits: a Date: after 2106 (spam says 3610)
                // wraps there and sorts as an early date; Moat keeps the year. Not compared.
                let sent = MessageContent(bytes: bytes).sentDate?.instant ?? 0
                if sent >= 1 << 32 { continue }
                messages.append(bytes)
            }
        }
        return messages
    }
}

/// A Maildir in a temporary directory that the real Dovecot indexes, driven by `doveadm`.
private struct DoveadmMaildir {
    let root: String
    var maildir: String { root + "/Maildir" }

    /// Writes `messages` to `cur/` in order (names that sort in that order), mtimes an hour apart.
    init(sample messages: [[UInt8]]) throws {
        root = NSTemporaryDirectory() + "moat-search-dovecot-\(UUID().uuidString)"
        let fm = FileManager.default
        for sub in ["cur", "new", "tmp"] { try fm.createDirectory(atPath: "\(maildir)/\(sub)", withIntermediateDirectories: true) }
        for (index, bytes) in messages.enumerated() {
            let path = "\(maildir)/cur/\(1_000_000_000 + index).M\(index)P1.sample:2,"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            try fm.setAttributes([.modificationDate: Date(timeIntervalSince1970: Self.internalDate(index))], ofItemAtPath: path)
        }
        try PrivateDovecotConfig.write(root: root, maildir: maildir)
    }

    /// Internal dates an hour apart from 2004-11-09 05:46:40 UTC: the sample spans a week.
    static func internalDate(_ index: Int) -> Double { 1_100_000_000 + Double(index) * 3600 }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    func doveadm(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/doveadm")
        process.arguments = ["-c", "\(root)/dovecot.conf"] + arguments
        process.environment = ["HOME": root, "USER": "moat-test", "PATH": "/usr/bin:/bin", "TZ": "UTC"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw DoveadmFailed(arguments: arguments, output: problems) }
        return text
    }

    struct DoveadmFailed: Error { var arguments: [String]; var output: String }

    /// Runs Dovecot's `imap` in PREAUTH mode over pipes, SELECT INBOX then `command`, one
    /// process per command (Dovecot runs pipelined commands side by side); returns the
    /// untagged SORT or THREAD line it answered, or nil.
    func imap(_ command: String) throws -> String? {
        let process = Process()
        let isRoot = getuid() == 0
        process.executableURL = URL(fileURLWithPath: isRoot ? "/usr/bin/setpriv" : "/usr/lib/dovecot/imap")
        process.arguments = (isRoot ? ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/lib/dovecot/imap"] : [])
            + ["-c", "\(root)/dovecot.conf", "-o", "log_path=/dev/stderr"]
        process.environment = ["HOME": root, "USER": "moat-test", "PATH": "/usr/bin:/bin", "TZ": "UTC"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("s SELECT INBOX\r\nc \(command)\r\nz LOGOUT\r\n".utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.components(separatedBy: "\r\n").first { $0.hasPrefix("* SORT") || $0.hasPrefix("* THREAD") }
    }

    /// UIDs (ascending) `doveadm search` finds for an IMAP search query.
    func search(_ query: [String]) throws -> [UInt32] {
        try doveadm(["search", "mailbox", "INBOX"] + query).split(separator: "\n")
            .compactMap { $0.split(separator: " ").last.flatMap { UInt32($0) } }.sorted()
    }

    /// The index entries for what Dovecot numbered (its UIDs, CRLF sizes) and the files' bytes.
    func indexedMessages() throws -> ([IndexedMessage], [UInt32: [UInt8]]) {
        var messages: [IndexedMessage] = []
        var files: [UInt32: [UInt8]] = [:]
        for line in try doveadm(["-f", "flow", "fetch", "uid guid", "mailbox", "INBOX", "all"]).split(separator: "\n") {
            var uid: UInt32?
            var guid = ""
            for field in line.split(separator: " ") {
                if field.hasPrefix("uid=") { uid = UInt32(field.dropFirst(4)) }
                if field.hasPrefix("guid=") { guid = String(field.dropFirst(5)) }
            }
            guard let uid else { continue }
            let bytes = try file(named: guid)
            files[uid] = bytes
            let bareLineFeeds = zip([0] + bytes.dropLast(), bytes).filter { $0.1 == 0x0A && $0.0 != 0x0D }.count
            let mtime = Int(guid.prefix(10)).map { Self.internalDate($0 - 1_000_000_000) } ?? 0
            messages.append(IndexedMessage(uid: uid, flags: [], keywords: [], modSeq: 1, size: Int64(bytes.count + bareLineFeeds),
                                           internalDate: mtime, baseName: guid))
        }
        return (messages.sorted { $0.uid < $1.uid }, files)
    }

    private func file(named base: String) throws -> [UInt8] {
        let name = try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/cur").first { $0.hasPrefix(base + ":") || $0 == base }
        guard let name else { throw DoveadmFailed(arguments: ["file \(base)"], output: "") }
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(maildir)/cur/\(name)")))
    }
}
