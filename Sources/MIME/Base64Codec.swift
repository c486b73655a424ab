/// Base64 (RFC 2045 §6.8) as mail needs it: lenient decoding, line-wrapped encoding.
public enum Base64Codec {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Sextet value per byte; 0xFF for bytes outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Decodes base64, never failing.
    ///
    /// Bytes outside the alphabet (line breaks, spaces, junk) are skipped, as RFC 2045
    /// requires. `=` ends the current 4-character group, so concatenated encodings
    /// (`QQ==QQ==`) decode piecewise; missing padding is tolerated and a lone trailing
    /// character (6 bits, not a byte) is dropped.
    public static func decode<C: Collection>(_ input: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3 + 3)
        var group: UInt32 = 0
        var count = 0
        func flushPartial() {
            // 2 chars carry 12 bits (1 byte); 3 chars carry 18 bits (2 bytes).
            if count == 2 {
                out.append(UInt8(truncatingIfNeeded: group >> 4))
            } else if count == 3 {
                out.append(UInt8(truncatingIfNeeded: group >> 10))
                out.append(UInt8(truncatingIfNeeded: group >> 2))
            }
            group = 0
            count = 0
        }
        values.withUnsafeBufferPointer { table in
            for c in input {
                if c == ASCII.equals {
                    flushPartial()
                    continue
                }
                let v = table[Int(c)]
                if v == 0xFF { continue }
                group = group << 6 | UInt32(v)
                count += 1
                if count == 4 {
                    out.append(UInt8(truncatingIfNeeded: group >> 16))
                    out.append(UInt8(truncatingIfNeeded: group >> 8))
                    out.append(UInt8(truncatingIfNeeded: group))
                    group = 0
                    count = 0
                }
            }
        }
        flushPartial()
        return out
    }

    /// Decodes the UTF-8 bytes of `string` with the same leniency as the byte version.
    public static func decode(_ string: String) -> [UInt8] { decode(Array(string.utf8)) }

    /// Encodes `input` as base64 with `=` padding. With `lineLength > 0` the output is
    /// broken into lines of that many characters separated by CRLF (76 is the RFC 2045
    /// maximum), with no line ending after the last line. `lineLength` is rounded down
    /// to a multiple of 4 so lines never split a group.
    public static func encode<C: Collection>(_ input: C, lineLength: Int = 76) -> [UInt8] where C.Element == UInt8 {
        let bytes = Array(input)
        var out: [UInt8] = []
        let wrap = lineLength > 0 ? max(4, lineLength / 4 * 4) : 0
        out.reserveCapacity((bytes.count + 2) / 3 * 4 + (wrap > 0 ? bytes.count / wrap * 2 + 2 : 0))
        var column = 0
        var i = 0
        func emit(_ c: UInt8) {
            if wrap > 0 && column == wrap {
                out.append(ASCII.cr)
                out.append(ASCII.lf)
                column = 0
            }
            out.append(c)
            column += 1
        }
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            emit(alphabet[Int(n >> 18 & 0x3F)])
            emit(alphabet[Int(n >> 12 & 0x3F)])
            emit(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 0x3F)] : ASCII.equals)
            emit(i + 2 < bytes.count ? alphabet[Int(n & 0x3F)] : ASCII.equals)
            i += 3
        }
        return out
    }

    /// ``encode(_:lineLength:)`` as a String (base64 output is always ASCII).
    public static func encodeToString<C: Collection>(_ input: C, lineLength: Int = 76) -> String where C.Element == UInt8 {
        String(decoding: encode(input, lineLength: lineLength), as: UTF8.self)
    }
}
