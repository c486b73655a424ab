/// Decoder for 8-bit charsets whose lower half is US-ASCII (ISO 8859-x, windows-125x,
/// KOI8, DOS code pages). Tables live in `SingleByteTables.swift`.
enum SingleByteCharset {
    /// Decodes `bytes` with the table for `canonicalName`, or nil when there is no table.
    /// Bytes the charset leaves undefined become U+FFFD.
    static func decode<C: Collection>(_ bytes: C, canonicalName: String) -> String?
    where C.Element == UInt8 {
        guard let upper = upperHalves[canonicalName] else { return nil }
        // Encoded to UTF-8 here: appending scalar by scalar to a String costs several
        // times more than writing the (at most three) bytes of each.
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + bytes.count / 2)
        for b in bytes {
            if b < 0x80 {
                utf8.append(b)
            } else {
                UTF8Text.appendScalar(UInt32(upper[Int(b) - 0x80]), to: &utf8)
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}
