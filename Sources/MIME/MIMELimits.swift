/// Resource caps applied while parsing one message.
///
/// Mail is hostile input: the caps keep a single message from exhausting stack, memory
/// or time. Hitting a cap is never fatal; the parser records a ``MIMEDefect`` and keeps
/// whatever it has parsed so far, so callers can decide (for example, mark the message
/// "unchecked" as amavisd-new does).
public struct MIMELimits: Sendable, Hashable {
    /// Deepest nesting of multipart / message/rfc822 containers that is still opened.
    /// The root part has depth 0; a container at this depth is treated as a leaf.
    /// Values above ``MIMELimits/hardMaxDepth`` are clamped so recursion stays stack-safe.
    public var maxDepth: Int
    /// Total number of parts (containers and leaves, across embedded messages).
    public var maxParts: Int
    /// Largest header block, in bytes, that is parsed as header fields.
    public var maxHeaderBytes: Int

    /// The parser recurses once per nesting level; this bounds the stack it can use.
    public static let hardMaxDepth = 200

    /// Limits with the given caps; each defaults to the value in ``default``.
    public init(maxDepth: Int = 20, maxParts: Int = 1000, maxHeaderBytes: Int = 1 << 20) {
        self.maxDepth = maxDepth
        self.maxParts = maxParts
        self.maxHeaderBytes = maxHeaderBytes
    }

    /// 20 levels, 1000 parts, 1 MiB of header per header block.
    public static let `default` = MIMELimits()

    var effectiveMaxDepth: Int { max(0, min(maxDepth, Self.hardMaxDepth)) }
    var effectiveMaxParts: Int { max(1, maxParts) }
    var effectiveMaxHeaderBytes: Int { max(0, maxHeaderBytes) }
}
