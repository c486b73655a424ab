/// An SMTP reply: a three-digit code, an optional RFC 3463 enhanced status code and
/// one or more text lines. The only type that turns into reply bytes on the wire.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var enhanced: String?
    public var lines: [String]

    public init(_ code: Int, _ enhanced: String? = nil, _ text: String) {
        self.code = code
        self.enhanced = enhanced
        self.lines = [text]
    }

    public init(code: Int, enhanced: String?, lines: [String]) {
        self.code = code
        self.enhanced = enhanced
        self.lines = lines.isEmpty ? [""] : lines
    }

    public var isPositive: Bool { (200..<400).contains(code) }
    public var isTransientFailure: Bool { (400..<500).contains(code) }
    public var isPermanentFailure: Bool { code >= 500 }

    /// Wire form: `250-first\r\n250 last\r\n`, enhanced code repeated on every line. Each
    /// line is printable ASCII within 512 octets whatever its text held (`SMTPReplyText`).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        let codeText = String(code)
        for (i, line) in lines.enumerated() {
            var prefix = codeText + (i == lines.count - 1 ? " " : "-")
            if let enhanced { prefix += enhanced + (line.isEmpty ? "" : " ") }
            let head = SMTPReplyText.wireSafe(prefix, room: SMTPReplyText.maxLineOctets - 2)
            out.append(contentsOf: head)
            out.append(contentsOf: SMTPReplyText.wireSafe(line, room: SMTPReplyText.maxLineOctets - 2 - head.count))
            out.append(contentsOf: [13, 10])
        }
        return out
    }

    /// `250 2.0.0 Ok` on one line, for logs.
    public var description: String {
        "\(code)" + (enhanced.map { " \($0)" } ?? "") + " " + lines.joined(separator: " / ")
    }
}
