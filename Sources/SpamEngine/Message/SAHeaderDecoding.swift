import MIME

/// Header value forms as SpamAssassin's `Message::Node` stores them.
enum SAHeaderDecoding {
    /// The raw value SpamAssassin keeps: everything after the colon, folding kept, CRLF → LF,
    /// ending in "\n".
    static func rawValue(_ field: HeaderField) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(field.rawValue.count + 1)
        var prevCR = false
        for b in field.rawValue {
            if prevCR && b != 0x0A { out.append(0x0D) }
            prevCR = (b == 0x0D)
            if !prevCR { out.append(b) }
        }
        if prevCR { out.append(0x0D) }
        out.append(0x0A)
        return out
    }

    /// `header()`: `s/\n[ \t]+/ /g`, trimmed, then `_decode_header`.
    static func decodedValue(raw: [UInt8], name: String) -> [UInt8] {
        var v: [UInt8] = []
        v.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            if raw[i] == 0x0A, i + 1 < raw.count, raw[i + 1] == 0x20 || raw[i + 1] == 0x09 {
                var j = i + 1
                while j < raw.count, raw[j] == 0x20 || raw[j] == 0x09 { j += 1 }
                v.append(0x20); i = j; continue
            }
            v.append(raw[i]); i += 1
        }
        var lo = 0, hi = v.count
        while lo < hi, UTF8Text.isASCIISpace(v[lo]) { lo += 1 }
        while hi > lo, UTF8Text.isASCIISpace(v[hi - 1]) { hi -= 1 }
        return decodeHeader(Array(v[lo..<hi]), name: name)
    }

    static let noMIMEDecoding: Set<String> = ["received", "message-id", "resent-message-id", "date", "resent-date",
                                              "mime-version", "references", "in-reply-to"]

    /// `_decode_header`: remaining newlines removed, 8-bit text forced to UTF-8, RFC 2047
    /// encoded-words decoded (adjacent words joined, same-charset sections merged).
    static func decodeHeader(_ input: [UInt8], name: String) -> [UInt8] {
        if input.isEmpty { return [] }
        var body: [UInt8] = []
        body.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            let b = input[i]
            if b == 0x0A {
                if i + 1 < input.count, input[i + 1] == 0x09 { body.append(0x20); i += 2; continue }
                i += 1; continue
            }
            if b == 0x0D, i + 1 < input.count, input[i + 1] == 0x0A { i += 1; continue }
            body.append(b); i += 1
        }
        if body.contains(where: { $0 >= 0x80 }) { body = SACharset.normalize(body, charset: "UTF-8") }
        let lname = name.lowercased()
        if noMIMEDecoding.contains(lname) || lname.hasPrefix("list-") { return body }
        guard body.find(Array("=?".utf8), from: 0) != nil else { return body }

        // Tokenise into encoded words and other text.
        struct Word { var start: Int; var end: Int; var charset: String; var encoding: UInt8; var text: ArraySlice<UInt8> }
        func word(at p: Int) -> Word? {
            guard p + 1 < body.count, body[p] == 0x3D, body[p + 1] == 0x3F else { return nil }
            var j = p + 2
            while j < body.count, UTF8Text.isWordByte(body[j]) || body[j] == 0x2A || body[j] == 0x2D { j += 1 }
            guard j > p + 2, j + 2 < body.count, body[j] == 0x3F else { return nil }
            let enc = body[j + 1] | 0x20
            guard enc == 0x62 || enc == 0x71, body[j + 2] == 0x3F else { return nil }
            var k = j + 3
            while k < body.count, body[k] != 0x3F { k += 1 }
            guard k + 1 < body.count, body[k + 1] == 0x3D else { return nil }
            return Word(start: p, end: k + 2, charset: String(decoding: body[(p + 2)..<j], as: UTF8.self).lowercased(),
                        encoding: enc, text: body[(j + 3)..<k])
        }
        var sections: [(bytes: [UInt8], encoding: String)] = []
        var lastEncoding: String? = nil
        var p = 0
        while p < body.count {
            var str: [UInt8]
            var enc: String
            if let w = word(at: p) {
                str = w.encoding == 0x62 ? Base64Codec.decode(w.text) : qDecode(w.text)
                enc = w.charset
                p = w.end
                // whitespace between two encoded words is dropped
                var q = p
                while q < body.count, UTF8Text.isASCIISpace(body[q]) { q += 1 }
                if q > p, word(at: q) != nil { p = q }
            } else {
                // ( [^=]+ | . )
                var q = p
                if body[q] == 0x3D { q += 1 } else { while q < body.count, body[q] != 0x3D { q += 1 } }
                str = Array(body[p..<q]); enc = ""; p = q
            }
            if let last = lastEncoding, last == enc, !sections.isEmpty {
                sections[sections.count - 1].bytes.append(contentsOf: str)
            } else {
                sections.append((str, enc))
            }
            lastEncoding = enc
        }
        var out: [UInt8] = []
        for s in sections {
            var cs = s.encoding
            if let star = cs.firstIndex(of: "*") { cs = String(cs[..<star]) }
            out.append(contentsOf: s.encoding.isEmpty ? s.bytes : SACharset.normalize(s.bytes, charset: cs, insist: true))
        }
        return out
    }

    /// Q encoding: `_` is space, then SpamAssassin's `qp_decode`.
    static func qDecode(_ t: ArraySlice<UInt8>) -> [UInt8] {
        SAMessage.qpDecode(t.map { $0 == 0x5F ? 0x20 : $0 })
    }
}
