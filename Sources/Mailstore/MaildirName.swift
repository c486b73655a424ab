#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MoatCore

/// The unique file name of a newly delivered message, in the modern form of the Maildir
/// spec (cr.yp.to/proto/maildir.html) with Dovecot's size fields:
///
///     1715000000.M123456P4242Q17.mx1.example.com,S=2048,W=2101
///     └─ secs ─┘ └usecs┘└pid┘└n┘ └─ hostname ─┘  └size┘└CRLF size┘
///
/// `Q<n>` comes from one process-wide counter, so two deliveries in the same microsecond
/// by this process still differ; the pid separates processes, the hostname machines
/// sharing the store. `S=` lets Dovecot and our quota scan size a message without stat(2);
/// `W=` is its size with CRLF line ends, what IMAP `RFC822.SIZE` reports.
public struct MaildirName: Sendable, Hashable, CustomStringConvertible {
    /// The name as it appears in `tmp/` and `new/`.
    public let text: String

    /// The next unique name on this host for a stored message of `size` bytes whose
    /// CRLF form is `virtualSize` bytes.
    public static func unique(size: Int, virtualSize: Int, hostname: String = Self.hostname) -> MaildirName {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let sequence = counter.withLock { value in
            value &+= 1
            return value
        }
        let micros = now.tv_nsec / 1000
        return MaildirName(
            text: "\(now.tv_sec).M\(micros)P\(getpid())Q\(sequence).\(hostname),S=\(size),W=\(virtualSize)")
    }

    /// This machine's name as gethostname(2) reports it, escaped for Maildir.
    public static let hostname: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) },
                          as: UTF8.self)
        return escape(hostname: name.isEmpty ? "localhost" : name)
    }()

    /// The Maildir spec's escapes: `/` would split the path and `:` starts the info
    /// suffix in `cur/`, so they become `\057` and `\072`.
    public static func escape(hostname: String) -> String {
        var escaped = ""
        for character in hostname {
            switch character {
            case "/": escaped += "\\057"
            case ":": escaped += "\\072"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// The `,S=<size>` field of a Maildir file name (`new/` or `cur/`, with or without the
    /// `:2,` info suffix); nil when absent, as in names other programs wrote.
    public static func storedSize(inFileName name: Substring) -> Int64? {
        let base = name.split(separator: ":", maxSplits: 1).first ?? name
        for field in base.split(separator: ",").dropFirst() where field.hasPrefix("S=") {
            return Int64(field.dropFirst(2))
        }
        return nil
    }

    public var description: String { text }

    private static let counter = Locked<UInt64>(0)
}
