/// The bounds the command parser enforces, so that no client can make it hold unbounded
/// input or recurse without end. Exceeding one is a `CommandParseError`, never a crash.
public struct ParserLimits: Hashable, Sendable {
    /// Bytes of one command outside its literals (Dovecot's `imap_max_line_length`, 64 KiB).
    public var maxLineLength: Int
    /// The largest literal accepted: set it to the APPENDLIMIT. APPEND messages stream
    /// through the parser; any other literal is held until its command is complete.
    public var maxLiteralSize: Int
    /// Literal bytes one command (other than APPEND) holds together, e.g. LOGIN's two; twice
    /// that for a moment while they are copied into the parsed command.
    public var maxCommandSize: Int
    /// The largest `{n-}` literal: RFC 7888 LITERAL- allows 4096 bytes.
    public var maxNonSynchronizingMinusLiteral: Int
    /// Nesting of parentheses and of NOT/OR in search keys, header lists, section specs.
    public var maxNestingDepth: Int
    /// Items in any one list: sequence-set ranges, flags, search keys, fetch attributes.
    public var maxListItems: Int

    public init(
        maxLineLength: Int = 64 * 1024, maxLiteralSize: Int = 64 * 1024 * 1024, maxCommandSize: Int = 1024 * 1024,
        maxNonSynchronizingMinusLiteral: Int = 4096, maxNestingDepth: Int = 100, maxListItems: Int = 10_000
    ) {
        self.maxLineLength = maxLineLength
        self.maxLiteralSize = maxLiteralSize
        self.maxCommandSize = maxCommandSize
        self.maxNonSynchronizingMinusLiteral = maxNonSynchronizingMinusLiteral
        self.maxNestingDepth = maxNestingDepth
        self.maxListItems = maxListItems
    }
}

extension ParserLimits {
    /// The largest literal of this kind: `{n-}` is held to LITERAL-'s 4096 bytes as well.
    func maxLiteralSize(_ synchronization: LiteralMarker.Synchronization) -> Int {
        synchronization == .minus ? min(maxNonSynchronizingMinusLiteral, maxLiteralSize) : maxLiteralSize
    }
}
