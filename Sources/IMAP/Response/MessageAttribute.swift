/// `msg-att` items of a FETCH response (RFC 9051 §7.5.2, RFC 3516, RFC 7162). Absent data is
/// nil and sent as `NIL`.
public enum MessageAttribute: Hashable, Sendable {
    case flags([Flag])
    case uid(UInt32)
    case internalDate(IMAPDateTime)
    case rfc822Size(UInt64)
    case envelope(Envelope)
    /// `BODY`: the structure without extension data.
    case body(BodyStructure)
    case bodyStructure(BodyStructure)
    /// `BODY[section]<origin> data`: `origin` is the partial fetch's first octet.
    case bodySection(SectionSpecifier, origin: UInt32?, data: [UInt8]?)
    /// `BINARY[part]<origin>`: sent as `literal8` when the data holds NUL.
    case binary(part: [Int], origin: UInt32?, data: [UInt8]?)
    case binarySize(part: [Int], size: UInt64)
    case modSeq(UInt64)
    case rfc822([UInt8]?)
    case rfc822Header([UInt8]?)
    case rfc822Text([UInt8]?)
}
