import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A multipart message Moat writes itself: top-level header fields (already folded,
/// each ending in CRLF, with `{boundary}` in the Content-Type standing for the boundary)
/// and leaf parts. Serialises to CRLF bytes in the shape MIME-tools gives amavisd-new's
/// notices: a preamble line, the parts, the close delimiter.
public struct NoticeMessage: Sendable {
    /// One leaf part.
    public struct Part: Sendable {
        /// Part header fields without line endings.
        public var header: [String]
        /// Part content; every line ends with CRLF.
        public var content: [UInt8]

        public init(header: [String], content: [UInt8]) {
            self.header = header
            self.content = content
        }
    }

    /// The top-level header, each field ending with CRLF, `{boundary}` as placeholder.
    public var header: [String]
    public var parts: [Part]

    public init(header: [String], parts: [Part]) {
        self.header = header
        self.parts = parts
    }

    /// Stands for the boundary in `header` until `serialize` picks it.
    public static let boundaryPlaceholder = "{boundary}"
    /// The line before the first part, for readers without MIME.
    public static let preamble = "This is a multi-part message in MIME format..."

    /// The message bytes with `boundary`, or a variant of it when a part already holds
    /// a line starting with `--boundary` (RFC 2046 §5.1.1: it must not occur in content;
    /// the original header section is attacker-controlled).
    public func serialize(boundary proposed: String) -> [UInt8] {
        var boundary = proposed
        while parts.contains(where: { Self.hasDelimiterLine($0.content, boundary: boundary) }) {
            boundary = proposed + "-" + NoticeText.randomLetters(8)
        }
        var out: [UInt8] = []
        out.reserveCapacity(parts.reduce(1024) { $0 + $1.content.count + 256 })
        for field in header {
            out += Array(field.replacingOccurrences(of: Self.boundaryPlaceholder, with: boundary).utf8)
        }
        out += Array("\r\n\(Self.preamble)\r\n".utf8)
        for part in parts {
            out += Array("\r\n--\(boundary)\r\n".utf8)
            for field in part.header { out += Array("\(field)\r\n".utf8) }
            out += [0x0D, 0x0A]
            out += part.content
        }
        out += Array("\r\n--\(boundary)--\r\n".utf8)
        return out
    }

    /// `lines` joined as CRLF-terminated content.
    public static func content(_ lines: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for line in lines { out += Array(line.utf8); out += [0x0D, 0x0A] }
        return out
    }

    /// True if some line of `content` starts with `--boundary`.
    static func hasDelimiterLine(_ content: [UInt8], boundary: String) -> Bool {
        let delimiter = Array("--\(boundary)".utf8)
        var lineStart = 0
        while lineStart < content.count {
            if content.count - lineStart >= delimiter.count
                && content[lineStart..<lineStart + delimiter.count].elementsEqual(delimiter) {
                return true
            }
            guard let lf = content[lineStart...].firstIndex(of: 0x0A) else { break }
            lineStart = lf + 1
        }
        return false
    }
}

/// MIME boundaries in MIME-tools' shape, which amavisd-new's notices carry:
/// `----------=_<unix time>-<pid>-<counter>`, the counter counting per process.
public enum NoticeBoundary {
    private static let counter = BoundaryCounter()

    /// The next boundary for a message generated at `date`.
    public static func next(date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return "----------=_\(seconds)-\(getpid())-\(counter.next())"
    }
}

/// A process-wide counter behind an `NSLock` (`Synchronization.Mutex` needs macOS 15).
private final class BoundaryCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        let current = value
        value += 1
        return current
    }
}

/// Message-IDs for generated messages: `<` two-letter kind prefix, 12 random letters,
/// `@host>`, as amavisd-new's `<VARCBGSptwrhCn@peers.example.com>`.
public enum NoticeMessageID {
    /// A new Message-ID, e.g. `<DSabcdefghijkl@host>` for `prefix` `DS`.
    public static func make(prefix: String, hostname: String) -> String {
        "<\(prefix)\(NoticeText.randomLetters(12))@\(NoticeText.sanitized(hostname))>"
    }
}
