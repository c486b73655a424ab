/// Byte-level helpers for UTF-8 text, with Perl's notions of "word" and "space".
public enum UTF8Text {
    /// Perl `\w` for ASCII bytes.
    @inline(__always) public static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }
    /// Perl `\s` for ASCII bytes (space, \t, \n, \v, \f, \r).
    @inline(__always) public static func isASCIISpace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D)
    }
    /// HTML.pm's `[ \t\n\r\f\x0b]`.
    @inline(__always) static func isHTMLSpace(_ b: UInt8) -> Bool { isASCIISpace(b) }

    /// Number of characters (scalars) in UTF-8 `bytes` (continuation bytes not counted).
    public static func characterCount<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8 {
        var n = 0
        for b in bytes where b & 0xC0 != 0x80 { n += 1 }
        return n
    }

    /// Length in bytes of the Unicode whitespace character (Perl `\s` on character strings)
    /// starting at `i`, or 0.
    @inline(__always) public static func unicodeSpaceLength(_ s: [UInt8], _ i: Int) -> Int {
        let b = s[i]
        if b < 0x80 { return isASCIISpace(b) ? 1 : 0 }
        if b == 0xC2, i + 1 < s.count, s[i + 1] == 0x85 || s[i + 1] == 0xA0 { return 2 }
        if b == 0xE1, i + 2 < s.count, s[i + 1] == 0x9A, s[i + 2] == 0x80 { return 3 }
        if b == 0xE2, i + 2 < s.count {
            let c = s[i + 1], d = s[i + 2]
            if c == 0x80, (d >= 0x80 && d <= 0x8A) || d == 0xA8 || d == 0xA9 || d == 0xAF { return 3 }
            if c == 0x81, d == 0x9F { return 3 }
        }
        if b == 0xE3, i + 2 < s.count, s[i + 1] == 0x80, s[i + 2] == 0x80 { return 3 }
        return 0
    }

    /// Number of Unicode whitespace characters.
    public static func unicodeSpaceCount(_ s: [UInt8]) -> Int {
        var n = 0, i = 0
        while i < s.count {
            let l = unicodeSpaceLength(s, i)
            if l > 0 { n += 1; i += l } else { i += 1 }
        }
        return n
    }

    /// `s/\s+/ /g` with Unicode `\s` (when `unicode`) or ASCII `\s`.
    public static func collapseSpace(_ s: [UInt8], unicode: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        var inSpace = false
        while i < s.count {
            let l = unicode ? unicodeSpaceLength(s, i) : (isASCIISpace(s[i]) ? 1 : 0)
            if l > 0 {
                if !inSpace { out.append(0x20); inSpace = true }
                i += l
            } else {
                inSpace = false
                out.append(s[i]); i += 1
            }
        }
        return out
    }

    /// Trims `[\s\xA0]` (Unicode whitespace) at both ends.
    public static func trimUnicodeSpace(_ s: [UInt8]) -> [UInt8] {
        var lo = 0
        while lo < s.count { let l = unicodeSpaceLength(s, lo); if l == 0 { break }; lo += l }
        var hi = s.count
        while hi > lo {
            // step back one character
            var j = hi - 1
            while j > lo, s[j] & 0xC0 == 0x80 { j -= 1 }
            if unicodeSpaceLength(s, j) == hi - j { hi = j } else { break }
        }
        return Array(s[lo..<hi])
    }

    /// Appends the UTF-8 encoding of scalar value `v`; a surrogate or a value above
    /// U+10FFFF (no scalar) appends U+FFFD's.
    @inline(__always) public static func appendScalar(_ v: UInt32, to out: inout [UInt8]) {
        let v = (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF ? 0xFFFD : v
        if v < 0x80 {
            out.append(UInt8(v))
            return
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | v >> 6))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | v >> 12))
            out.append(UInt8(0x80 | (v >> 6) & 0x3F))
        } else {
            out.append(UInt8(0xF0 | v >> 18))
            out.append(UInt8(0x80 | (v >> 12) & 0x3F))
            out.append(UInt8(0x80 | (v >> 6) & 0x3F))
        }
        out.append(UInt8(0x80 | v & 0x3F))
    }
}

extension Array where Element == UInt8 {
    public func firstIndex(of byte: UInt8, from: Int) -> Int? {
        var i = from
        while i < count { if self[i] == byte { return i }; i += 1 }
        return nil
    }

    /// Index of the first occurrence of `needle` at or after `from`; nil for an empty needle.
    public func find(_ needle: [UInt8], from: Int) -> Int? {
        needle.withUnsafeBufferPointer { find($0, from: from) }
    }

    /// ``find(_:from:)`` with the needle in a buffer (e.g. a `StaticString`'s
    /// `withUTF8Buffer`): its first byte looked for, then the rest compared, on raw buffers.
    public func find(_ needle: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let first = needle.first, needle.count <= count else { return nil }
        return withUnsafeBufferPointer { h in
            var i = from
            let last = h.count - needle.count
            while i <= last {
                if h[i] == first {
                    var j = 1
                    while j < needle.count, h[i + j] == needle[j] { j += 1 }
                    if j == needle.count { return i }
                }
                i += 1
            }
            return nil
        }
    }

    public func findCaseInsensitive(_ needle: [UInt8], from: Int) -> Int? {
        let n = needle.map(ASCII.lowercased)
        guard !n.isEmpty, n.count <= count else { return nil }
        var i = from
        while i + n.count <= count {
            var ok = true
            for k in 0..<n.count where ASCII.lowercased(self[i + k]) != n[k] { ok = false; break }
            if ok { return i }
            i += 1
        }
        return nil
    }

    public func removingSequence(_ seq: [UInt8]) -> [UInt8] {
        guard find(seq, from: 0) != nil else { return self }
        var out: [UInt8] = []
        var i = 0
        while i < count {
            if i + seq.count <= count, self[i..<(i + seq.count)].elementsEqual(seq) { i += seq.count; continue }
            out.append(self[i]); i += 1
        }
        return out
    }
}
