/// Character classes and anchors with the semantics of ICU's regular expressions (what
/// Foundation's `.regularExpression` searches used), for hand-written matchers over Unicode
/// scalars: `\s`, `\d`, `\w`, `\b`, `.` and a non-multiline `$`.
public enum ICUScalarClasses {
    /// `\s`: `\p{White_Space}`.
    @inlinable public static func isSpace(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value == 0x20 || (0x09...0x0D).contains(c.value) }
        return c.properties.isWhitespace
    }

    /// `\d`: `\p{Nd}`.
    @inlinable public static func isDigit(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return (0x30...0x39).contains(c.value) }
        return c.properties.generalCategory == .decimalNumber
    }

    /// `\w`: `[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\u200c\u200d]`.
    public static func isWord(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 {
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
        }
        if v == 0x200C || v == 0x200D { return true }
        let p = c.properties
        if p.isAlphabetic { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// Characters `\b` skips over (ICU: Grapheme_Extend or a format character).
    static func isBoundaryTransparent(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return false }
        return c.properties.isGraphemeExtend || c.properties.generalCategory == .format
    }

    /// ICU's line terminators (what `.` does not match, and what `$` may precede).
    @inlinable public static func isLineTerminator(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return (0x0A...0x0D).contains(v) || v == 0x85 || v == 0x2028 || v == 0x2029
    }

    /// `\b` at `p` in `a`.
    public static func isBoundary(_ a: [Unicode.Scalar], _ p: Int) -> Bool {
        var cIsWord = false
        if p < a.count {
            if isBoundaryTransparent(a[p]) { return false }
            cIsWord = isWord(a[p])
        }
        var prevIsWord = false
        var i = p
        while i > 0 {
            i -= 1
            if !isBoundaryTransparent(a[i]) { prevIsWord = isWord(a[i]); break }
        }
        return cIsWord != prevIsWord
    }

    /// Non-multiline `$` at `p`: the end, or before a final line terminator (or final CRLF).
    public static func isEnd(_ a: [Unicode.Scalar], _ p: Int) -> Bool {
        let n = a.count
        if p == n { return true }
        if p == n - 1 { return isLineTerminator(a[p]) }
        if p == n - 2 { return a[p] == "\r" && a[p + 1] == "\n" }
        return false
    }

    /// The positions `$` can match at in `a`.
    public static func endPositions(_ a: [Unicode.Scalar]) -> [Int] {
        let n = a.count
        var out = [n]
        if n >= 1, isLineTerminator(a[n - 1]) { out.append(n - 1) }
        if n >= 2, a[n - 2] == "\r", a[n - 1] == "\n" { out.append(n - 2) }
        return out
    }

    /// Whether `a[p...]` starts with the ASCII `literal` (case-insensitively: ICU's case
    /// closure, so `s` also matches U+017F and `k` U+212A).
    public static func hasLiteral(_ a: [Unicode.Scalar], at p: Int, _ literal: String, caseless: Bool = false) -> Bool {
        var i = p
        for b in literal.utf8 {
            guard i < a.count else { return false }
            let v = a[i].value
            if v != UInt32(b) {
                guard caseless else { return false }
                let lb = UInt32(b | 0x20)
                guard (0x61...0x7A).contains(lb) else { return false }
                let ok = (v < 0x80 && (v | 0x20) == lb) || (lb == 0x73 && v == 0x17F) || (lb == 0x6B && v == 0x212A)
                guard ok else { return false }
            }
            i += 1
        }
        return true
    }

    /// `[a-z]` (with the caseless closure when `caseless`).
    public static func isLowerASCIILetter(_ c: Unicode.Scalar, caseless: Bool) -> Bool {
        let v = c.value
        if (0x61...0x7A).contains(v) { return true }
        guard caseless else { return false }
        return (0x41...0x5A).contains(v) || v == 0x17F || v == 0x212A
    }

    /// The string of `a[r]`.
    public static func string(_ a: [Unicode.Scalar], _ r: Range<Int>) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: a[r])
        return String(s)
    }
}
