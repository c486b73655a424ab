/// RFC 2047 encoded-words (`=?charset?B|Q?text?=`) in header text.
public enum RFC2047 {
    /// Decodes every encoded-word in `s` to UTF-8 text.
    ///
    /// - Whitespace between two adjacent encoded-words is dropped (RFC 2047 §6.2).
    /// - Adjacent words in the same charset are joined as bytes before conversion, because
    ///   encoders split multi-byte characters across words.
    /// - Like most mail clients (and unlike §5's strict rule) words not surrounded by
    ///   whitespace are decoded too; spam uses that to hide words from naive filters.
    /// - Malformed words are left as written.
    public static func decode(_ s: String) -> String {
        guard s.contains("=?") else { return s }
        let input = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var pending: EncodedWord?
        var literalStart = 0
        var i = 0

        func flush() {
            if let word = pending {
                out.append(contentsOf: Charset.decode(word.bytes, charset: word.charset).utf8)
                pending = nil
            }
        }

        while i + 1 < input.count {
            guard input[i] == ASCII.equals, input[i + 1] == ASCII.question,
                  let word = EncodedWord.parse(input, at: i)
            else {
                i += 1
                continue
            }
            let literal = input[literalStart..<i]
            if pending != nil && literal.allSatisfy(ASCII.isWhitespace) {
                if pending!.charset == word.charset {
                    pending!.bytes.append(contentsOf: word.bytes)
                } else {
                    flush()
                    pending = word
                }
            } else {
                flush()
                out.append(contentsOf: literal)
                pending = word
            }
            i = word.end
            literalStart = i
        }
        flush()
        out.append(contentsOf: input[literalStart...])
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes the Q encoding of RFC 2047 §4.2: `_` is a space, `=XX` a byte; a bad
    /// escape is kept literally.
    static func decodeQ(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = text.startIndex
        while i < text.endIndex {
            let b = text[i]
            if b == ASCII.underscore {
                out.append(ASCII.space)
            } else if b == ASCII.equals, i + 2 < text.endIndex,
                      let hi = ASCII.hexValue(text[i + 1]), let lo = ASCII.hexValue(text[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
                continue
            } else {
                out.append(b)
            }
            i += 1
        }
        return out
    }
}

/// One parsed `=?charset?enc?text?=` token.
struct EncodedWord {
    /// Canonical charset name, RFC 2231 `*language` suffix removed.
    var charset: String
    /// Decoded bytes, still in `charset`.
    var bytes: [UInt8]
    /// Index just past the closing `?=`.
    var end: Int

    /// Parses the encoded-word starting at `start` (which holds `=?`), or nil.
    static func parse(_ input: [UInt8], at start: Int) -> EncodedWord? {
        // Charset: up to the next '?', no whitespace (RFC 2047 §2 token).
        var i = start + 2
        let charsetStart = i
        while i < input.count, input[i] != ASCII.question {
            if ASCII.isWhitespace(input[i]) || i - charsetStart > 64 { return nil }
            i += 1
        }
        guard i > charsetStart, i + 2 < input.count, input[i + 2] == ASCII.question else { return nil }
        var charsetBytes = input[charsetStart..<i]
        if let star = charsetBytes.firstIndex(of: ASCII.asterisk) { charsetBytes = charsetBytes[..<star] }
        let encoding = ASCII.lowercased(input[i + 1])
        guard encoding == 0x62 || encoding == 0x71 else { return nil }   // "b" or "q"
        // Encoded text: up to the first "?=" (as Python's email package; spaces tolerated).
        let textStart = i + 3
        var j = textStart
        while j + 1 < input.count {
            if input[j] == ASCII.question && input[j + 1] == ASCII.equals { break }
            if input[j] == ASCII.cr || input[j] == ASCII.lf { return nil }
            j += 1
        }
        guard j + 1 < input.count else { return nil }
        let text = input[textStart..<j]
        let bytes = encoding == 0x62 ? Base64Codec.decode(text) : RFC2047.decodeQ(text)
        let charset = Charset.canonicalName(String(decoding: charsetBytes, as: UTF8.self))
        return EncodedWord(charset: charset, bytes: bytes, end: j + 2)
    }
}
