/// The header section of a message or body part.
public struct HeaderBlock: Sendable {
    /// Fields in message order. Garbage lines are not included (see ``MIMEDefect/badHeaderLine``).
    public let fields: [HeaderField]
    /// Offset in the original bytes where the header block starts.
    public let startOffset: Int
    /// Offset in the original bytes where the body starts: just after the empty line that
    /// ends the header (CRLF or bare LF). Without an empty line the whole range is header
    /// and this is the end of the range, so the body is empty.
    public let bodyOffset: Int
    /// Whether the header ended with an empty line (false: see ``MIMEDefect/missingBlankLine``).
    public let hasBlankLine: Bool

    /// A header block over existing message bytes.
    public init(fields: [HeaderField], startOffset: Int, bodyOffset: Int, hasBlankLine: Bool) {
        self.fields = fields
        self.startOffset = startOffset
        self.bodyOffset = bodyOffset
        self.hasBlankLine = hasBlankLine
    }

    /// An empty header at `offset` (used for parts that start directly with their body).
    static func empty(at offset: Int) -> HeaderBlock {
        HeaderBlock(fields: [], startOffset: offset, bodyOffset: offset, hasBlankLine: true)
    }

    /// The first field named `name`, compared ASCII case-insensitively.
    public func first(_ name: String) -> HeaderField? {
        let key = name.asciiLowercased()
        return fields.first { $0.name.asciiLowercased() == key }
    }

    /// All fields named `name` in message order, compared ASCII case-insensitively.
    public func all(_ name: String) -> [HeaderField] {
        let key = name.asciiLowercased()
        return fields.filter { $0.name.asciiLowercased() == key }
    }
}
