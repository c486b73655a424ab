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
                continue
            }
            // Every table value is a BMP code point outside the surrogate range.
            var v = UInt32(upper[Int(b) - 0x80])
            if v >= 0xD800 && v <= 0xDFFF { v = 0xFFFD }
            if v < 0x80 {
                utf8.append(UInt8(v))
                continue
            } else if v < 0x800 {
                utf8.append(UInt8(0xC0 | v >> 6))
            } else {
                utf8.append(UInt8(0xE0 | v >> 12))
                utf8.append(UInt8(0x80 | (v >> 6) & 0x3F))
            }
            utf8.append(UInt8(0x80 | v & 0x3F))
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}
