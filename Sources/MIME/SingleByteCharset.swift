/// Decoder for 8-bit charsets whose lower half is US-ASCII (ISO 8859-x, windows-125x,
/// KOI8, DOS code pages). Tables live in `SingleByteTables.swift`.
enum SingleByteCharset {
    /// Decodes `bytes` with the table for `canonicalName`, or nil when there is no table.
    /// Bytes the charset leaves undefined become U+FFFD.
    static func decode<C: Collection>(_ bytes: C, canonicalName: String) -> String?
    where C.Element == UInt8 {
        guard let upper = upperHalves[canonicalName] else { return nil }
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for b in bytes {
            if b < 0x80 {
                scalars.append(Unicode.Scalar(b))
            } else {
                // Every table value is a BMP code point outside the surrogate range.
                scalars.append(Unicode.Scalar(upper[Int(b) - 0x80]) ?? "\u{FFFD}")
            }
        }
        return String(scalars)
    }
}
