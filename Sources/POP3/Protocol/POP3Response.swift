/// What the server sends: `+OK`/`-ERR` status lines with RFC 2449/3206 response codes,
/// multi-line responses, and messages dot-stuffed (RFC 1939 §3).
public enum POP3Response {
    /// RFC 2449 §8 / RFC 3206 extended response codes.
    public enum Code: String, Sendable {
        case auth = "AUTH"
        case inUse = "IN-USE"
        case loginDelay = "LOGIN-DELAY"
        case sysTemp = "SYS/TEMP"
        case sysPerm = "SYS/PERM"
    }

    public static func ok(_ text: String) -> [UInt8] { line("+OK" + (text.isEmpty ? "" : " " + text)) }

    public static func error(_ text: String, code: Code? = nil) -> [UInt8] {
        line("-ERR " + (code.map { "[\($0.rawValue)] " } ?? "") + text)
    }

    /// `+OK text`, the lines, and the terminating `.`; each line dot-stuffed.
    public static func multiLine(_ status: String, _ lines: [String]) -> [UInt8] {
        var out = ok(status)
        for text in lines { out += stuffed(Array(text.utf8)) + [13, 10] }
        return out + Array(".\r\n".utf8)
    }

    /// A continuation request for a SASL exchange (RFC 5034 §4): `+ ` and the base64 challenge.
    public static func continuation(_ challenge: String = "") -> [UInt8] { line("+ " + challenge) }

    /// `+OK <status>`, the message (or its header and the first `bodyLines` lines of its
    /// body, for TOP), dot-stuffed, ending with `.` on a line of its own. Bare LF ends a line
    /// as CRLF does, so the client always gets CRLF; a last line without one gets one.
    public static func message(_ content: [UInt8], status: String, bodyLines: Int? = nil) -> [UInt8] {
        var out = ok(status)
        out.reserveCapacity(content.count + content.count / 40 + 16)
        var lineStart = content.startIndex
        var inBody = false
        var bodyLinesSent = 0
        while lineStart < content.endIndex {
            if inBody, let limit = bodyLines, bodyLinesSent >= limit { break }
            var end = lineStart
            while end < content.endIndex && content[end] != 10 { end += 1 }
            var text = content[lineStart..<end]
            if text.last == 13 { text = text.dropLast() }
            out += stuffed(text)
            out += [13, 10]
            if inBody { bodyLinesSent += 1 } else if text.isEmpty { inBody = true }
            lineStart = end < content.endIndex ? end + 1 : end
        }
        return out + Array(".\r\n".utf8)
    }

    /// The size a client is told (LIST, STAT): the bytes of the message with CRLF line ends,
    /// before dot-stuffing, which is what RETR then sends between its status and its `.`.
    public static func size(of content: [UInt8]) -> Int {
        var size = 0
        var previous: UInt8 = 0
        for byte in content {
            if byte == 10 && previous != 13 { size += 1 }
            size += 1
            previous = byte
        }
        if let last = content.last, last != 10 { size += 2 }
        return size
    }

    private static func stuffed(_ text: some Collection<UInt8>) -> [UInt8] {
        text.first == UInt8(ascii: ".") ? [UInt8(ascii: ".")] + text : Array(text)
    }

    private static func line(_ text: String) -> [UInt8] { Array((text + "\r\n").utf8) }
}
