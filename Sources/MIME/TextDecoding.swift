/// Byte-to-String conversions used where no charset is declared (header text, fallbacks).
enum TextDecoding {
    /// Whether `bytes` are well-formed UTF-8 (standard library decoder, so no
    /// platform availability constraints apply).
    static func isValidUTF8<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Whether every byte is 7-bit.
    static func isASCII<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        bytes.allSatisfy { $0 < 0x80 }
    }

    /// Latin-1 maps each byte to the code point of the same value, so it never fails.
    static func latin1<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for b in bytes { scalars.append(Unicode.Scalar(b)) }
        return String(scalars)
    }

    /// UTF-8 when well-formed, else Latin-1: raw 8-bit header text is usually one of the two.
    static func utf8OrLatin1<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if isValidUTF8(bytes) { return String(decoding: bytes, as: UTF8.self) }
        return latin1(bytes)
    }
}
