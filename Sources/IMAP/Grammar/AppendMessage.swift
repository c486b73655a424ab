/// One message of an APPEND (RFC 3502 MULTIAPPEND allows several).
/// CATENATE (RFC 4469) is not parsed: such an APPEND is a syntax error.
public struct AppendMessage: Hashable, Sendable {
    public var flags: [Flag]
    public var internalDate: IMAPDateTime?
    public var data: [UInt8]
    /// Sent as `literal8` (`~{n}`, RFC 3516 BINARY): may hold NUL bytes.
    public var isBinary: Bool

    public init(flags: [Flag] = [], internalDate: IMAPDateTime? = nil, data: [UInt8], isBinary: Bool = false) {
        self.flags = flags
        self.internalDate = internalDate
        self.data = data
        self.isBinary = isBinary
    }
}
