/// A command tag: `1*<any ASTRING-CHAR except "+">` (RFC 9051 §9). Kept as the client sent
/// it, because the tagged reply must echo it byte for byte.
public struct Tag: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    public var description: String { String(decoding: bytes, as: UTF8.self) }
}
