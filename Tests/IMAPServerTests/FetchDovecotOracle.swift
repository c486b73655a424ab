import Foundation
import MoatTestSupport
import XCTest

/// Runs the real Dovecot IMAP server (`/usr/lib/dovecot/imap`, pre-authenticated, on a
/// pipe) over a Maildir holding the given messages, so tests can compare Moat's FETCH
/// data with Dovecot's for the same bytes.
struct FetchDovecotOracle {
    static let imapBinary = "/usr/lib/dovecot/imap"
    let root: String

    /// A Maildir with `messages` in order (UID n is messages[n-1]); throws XCTSkip without Dovecot.
    init(messages: [[UInt8]]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.imapBinary) else {
            throw XCTSkip("Dovecot is not installed (Debian: dovecot-imapd)")
        }
        root = NSTemporaryDirectory() + "moat-fetch-oracle-\(UUID().uuidString)"
        for folder in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(atPath: "\(root)/Maildir/\(folder)", withIntermediateDirectories: true)
        }
        // Dovecot numbers new files in the order of their names' leading timestamps.
        for (index, message) in messages.enumerated() {
            try Data(message).write(to: URL(fileURLWithPath: "\(root)/Maildir/cur/\(1_000_000_000 + index).M\(index)P1.moat:2,"))
        }
        try PrivateDovecotConfig.write(root: root, maildir: "\(root)/Maildir")
    }

    /// Sends `commands` (without tags or line ends; command n is tagged `c<n>`) after
    /// SELECT INBOX and returns all the server wrote, with the commands it dropped the
    /// connection on (Dovecot 2.3 does on base64 without padding): the session is then
    /// started again after that command.
    func run(_ commands: [String]) throws -> (output: [UInt8], dropped: Set<Int>) {
        try run(bytes: commands.map { Array($0.utf8) })
    }

    /// `run` for commands that carry binary data (APPEND of a literal8).
    func run(bytes commands: [[UInt8]]) throws -> (output: [UInt8], dropped: Set<Int>) {
        signal(SIGPIPE, SIG_IGN)
        var output: [UInt8] = []
        var dropped: Set<Int> = []
        var next = 0
        while next < commands.count {
            let session = try runSession(commands, from: next)
            output += session
            let answered = Self.answeredTags(in: session)
            guard let stop = (next..<commands.count).first(where: { !answered.contains($0) }) else { break }
            dropped.insert(stop)
            next = stop + 1
        }
        return (output, dropped)
    }

    private func runSession(_ commands: [[UInt8]], from first: Int) throws -> [UInt8] {
        let process = Process()
        var arguments = [Self.imapBinary, "-c", "\(root)/dovecot.conf"]
        if getuid() == 0 { arguments = ["--reuid", "65534", "--regid", "65534", "--clear-groups"] + arguments }
        process.executableURL = URL(fileURLWithPath: getuid() == 0 ? "/usr/bin/setpriv" : Self.imapBinary)
        process.arguments = getuid() == 0 ? arguments : Array(arguments.dropFirst())
        process.environment = ["HOME": root, "USER": "moat-test", "PATH": "/usr/bin:/bin"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var script = Array("s select INBOX\r\n".utf8)
        for index in first..<commands.count { script += Array("c\(index) ".utf8) + commands[index] + [0x0D, 0x0A] }
        script += Array("z logout\r\n".utf8)
        let request = Data(script)
        // Write from another thread: the replies can outgrow the pipe before input ends.
        let writer = Thread {
            try? input.fileHandleForWriting.write(contentsOf: request)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }

    /// The numbers n of the `c<n>` tags answered (OK, NO or BAD) in `output`.
    static func answeredTags(in output: [UInt8]) -> Set<Int> { taggedAnswers(in: output).reduce(into: []) { $0.insert($1.0) } }

    /// The numbers n of the `c<n>` tags answered NO in `output`.
    static func refusedTags(in output: [UInt8]) -> Set<Int> {
        taggedAnswers(in: output).reduce(into: []) { if $1.1 == "NO" { $0.insert($1.0) } }
    }

    private static func taggedAnswers(in output: [UInt8]) -> [(Int, String)] {
        output.split(separator: 0x0A).compactMap { line in
            guard line.first == UInt8(ascii: "c") else { return nil }
            let words = line.dropFirst().split(separator: 0x20, maxSplits: 2)
            guard words.count > 1, let number = Int(String(decoding: words[0], as: UTF8.self)) else { return nil }
            return (number, String(decoding: words[1], as: UTF8.self))
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
