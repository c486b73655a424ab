#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MoatCore

/// The `subscriptions` file in the Maildir root, in Dovecot's format so either server
/// reads the other's: version 1 is one mailbox name per line (modified UTF-7, `.`
/// separated, as Dovecot's Maildir++ storage names are); version 2 starts `V\t2\n\n` and
/// separates hierarchy levels with a tab, escaping with `\u{1}` (`strescape.c`'s tab
/// escaping), each level still a storage name in modified UTF-7 (Dovecot 2.3 writes
/// `Entw&APw-rfe`; a level that is not modified UTF-7, as with Dovecot's `UTF-8` option,
/// is taken as it is). Moat rewrites the file in the version it found (1 for a new file, as
/// Dovecot 2.3 does), whole, through a temporary file.
struct SubscriptionsFile {
    static let fileName = "subscriptions"
    static let version2Header = "V\t2\n\n"

    let path: String

    init(maildir: String) { path = "\(maildir)/\(Self.fileName)" }

    /// Subscribed names (Unicode, `.` separated), in file order.
    func read() throws -> (names: [String], version: Int) {
        let bytes: [UInt8]
        do {
            bytes = try DurableFile.contents(of: path)
        } catch let failure as SystemCallError where failure.errno == ENOENT {
            return ([], 1)
        } catch let failure as SystemCallError {
            throw MailboxError.io(operation: failure.operation, path: failure.path, errno: failure.errno)
        }
        var text = String(decoding: bytes, as: UTF8.self)
        let version = text.hasPrefix(Self.version2Header) ? 2 : 1
        if version == 2 { text.removeFirst(Self.version2Header.count) }
        let names = text.split(separator: "\n").map { line -> String in
            guard version == 2 else { return ModifiedUTF7.decode(String(line)) ?? String(line) }
            return line.split(separator: "\t", omittingEmptySubsequences: false)
                .map { level in
                    let storageName = Self.tabUnescape(level)
                    return ModifiedUTF7.decode(storageName) ?? storageName
                }
                .joined(separator: ".")
        }
        return (names.map { $0.uppercased() == "INBOX" ? "INBOX" : $0 }, version)
    }

    func write(_ names: [String], version: Int) throws {
        var text = version == 2 ? Self.version2Header : ""
        for name in names {
            if version == 2 {
                text += name.split(separator: ".", omittingEmptySubsequences: false)
                    .map { Self.tabEscape(ModifiedUTF7.encode(String($0))) }
                    .joined(separator: "\t")
            } else {
                text += ModifiedUTF7.encode(name)
            }
            text += "\n"
        }
        let temporary = "\(path).\(MaildirName.unique(size: 0, virtualSize: 0).text).tmp"
        try MailboxError.mappingIO {
            try DurableFile.create(path, temporaryPath: temporary, chunks: [Array(text.utf8)], publish: .replace)
        }
    }

    private static func tabEscape(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "\u{1}": output += "\u{1}1"
            case "\t": output += "\u{1}t"
            case "\r": output += "\u{1}r"
            case "\n": output += "\u{1}n"
            default: output.append(character)
            }
        }
        return output
    }

    private static func tabUnescape(_ text: Substring) -> String {
        var output = ""
        var escaped = false
        for character in text {
            if escaped {
                switch character {
                case "1": output += "\u{1}"
                case "t": output += "\t"
                case "r": output += "\r"
                case "n": output += "\n"
                default: output.append(character)
                }
                escaped = false
            } else if character == "\u{1}" {
                escaped = true
            } else {
                output.append(character)
            }
        }
        return output
    }
}
