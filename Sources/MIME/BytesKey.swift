/// Bytes as a set member or dictionary key. `[UInt8]` itself hashes element by element
/// (a call into the hasher per byte); this hashes the whole buffer at once.
public struct BytesKey: Hashable, Sendable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (a: BytesKey, b: BytesKey) -> Bool { a.bytes == b.bytes }
}
