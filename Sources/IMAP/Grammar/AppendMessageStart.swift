/// One message of an APPEND (RFC 3502 MULTIAPPEND allows several) as its literal begins: the
/// bytes follow as `.appendMessageBytes` events, so no message is ever held whole by the
/// parser. CATENATE (RFC 4469) is not parsed: such an APPEND is a syntax error.
public struct AppendMessageStart: Hashable, Sendable {
    public var flags: [Flag]
    public var internalDate: IMAPDateTime?
    /// The literal's size in bytes.
    public var size: Int
    /// Sent as `literal8` (`~{n}`, RFC 3516 BINARY): may hold NUL bytes.
    public var isBinary: Bool

    public init(flags: [Flag] = [], internalDate: IMAPDateTime? = nil, size: Int, isBinary: Bool = false) {
        self.flags = flags
        self.internalDate = internalDate
        self.size = size
        self.isBinary = isBinary
    }
}
