import MIME

/// A relaxed e-mail address list parser modelled on SpamAssassin 4.0.1's internal
/// `Util::_parse_header_addresses` (what `:addr` and `:name` read).
enum SAAddressParser {
    struct Address: Equatable, Sendable {
        var phrase: [UInt8]?
        var address: [UInt8]?
        var comment: [UInt8]?
    }

    static func parse(_ input: [UInt8]) -> [Address] {
        var s = input
        while let l = s.last, UTF8Text.isASCIISpace(l) { s.removeLast() }
        s = s.removingSequence([0x5C, 0x5C])
        guard s.contains(where: { !UTF8Text.isASCIISpace($0) }) else { return [] }
        // group syntax: "name: a, b;" → "a, b"
        if let colon = s.firstIndex(of: 0x3A), colon > 0,
           !s[..<colon].contains(where: { $0 == 0x22 || $0 == 0x28 || $0 == 0x29 || $0 == 0x3C || $0 == 0x3E }) {
            var rest = Array(s[(colon + 1)...])
            if let semi = rest.firstIndex(of: 0x3B) { rest = Array(rest[..<semi]) }
            s = Array(UTF8Text.trimUnicodeSpaceASCII(rest))
        }
        var result: [Address] = []
        for item in splitList(s) {
            let t = Array(UTF8Text.trimUnicodeSpaceASCII(item))
            if t.isEmpty { continue }
            var a = Address()
            if let lt = firstUnquoted(t, 0x3C), let gt = t[(lt + 1)...].firstIndex(of: 0x3E) {
                let phrase = Array(t[..<lt])
                var addr = removeComments(Array(t[(lt + 1)..<gt]))
                addr = Array(UTF8Text.trimUnicodeSpaceASCII(addr))
                a.address = looksLikeMail(addr) ? addr : nil
                // SA keeps the blanks between the phrase and '<' (they only vanish when the
                // decoded name is trimmed), so `"a@b" <a@b>` keeps its name and `"" <a@b>` is " ".
                let p = unquotePhrase(Array(phrase.drop { UTF8Text.isASCIISpace($0) }))
                a.phrase = p.isEmpty || p == a.address ? nil : p
            } else {
                // bare address, optional (comment)
                var comment: [UInt8]?
                if let o = t.firstIndex(of: 0x28), let c = t[o...].firstIndex(of: 0x29) { comment = Array(t[(o + 1)..<c]) }
                let addr = Array(UTF8Text.trimUnicodeSpaceASCII(removeComments(t)))
                if looksLikeMail(addr) {
                    a.address = addr
                } else {
                    let p = Array(UTF8Text.trimUnicodeSpaceASCII(unquotePhrase(t)))
                    a.phrase = p.isEmpty ? nil : p
                }
                a.comment = comment
                if a.phrase == nil { a.phrase = comment }
            }
            if var addr = a.address, let at = addr.firstIndex(of: 0x40) {
                if let at2 = addr[(at + 1)...].firstIndex(of: 0x40) { addr = Array(addr[..<at2]) }
                a.address = addr
            }
            result.append(a)
        }
        return result
    }

    static func looksLikeMail(_ a: [UInt8]) -> Bool {
        guard let at = a.lastIndex(of: 0x40), at > 0, at + 1 < a.count else { return false }
        if a.count >= 3 && a[0] == 0x22 && a[1] == 0x22 && a[2] == 0x40 { return false }
        var quotes = 0
        for b in a where b == 0x22 { quotes += 1 }
        if quotes == 1 { return false }
        if a[0] != 0x22, a[..<at].contains(where: { isBad($0) || $0 == 0x40 }) { return false }
        return !a[(at + 1)...].contains(where: { isBad($0) || $0 == 0x22 })
    }

    /// Blanks and specials an unquoted address may not hold: ` \t\n<>()[],:;`.
    @inline(__always) private static func isBad(_ b: UInt8) -> Bool {
        switch b {
        case 0x20, 0x09, 0x0A, 0x3C, 0x3E, 0x28, 0x29, 0x5B, 0x5D, 0x2C, 0x3A, 0x3B: return true
        default: return false
        }
    }

    static func firstUnquoted(_ s: [UInt8], _ ch: UInt8) -> Int? {
        var inQ = false
        var i = 0
        while i < s.count {
            if s[i] == 0x5C { i += 2; continue }
            if s[i] == 0x22 { inQ.toggle() } else if !inQ, s[i] == ch { return i }
            i += 1
        }
        return nil
    }

    /// Splits on commas outside quotes, angle brackets and comments.
    static func splitList(_ s: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var cur: [UInt8] = []
        var inQ = false, angle = 0, paren = 0
        var i = 0
        while i < s.count {
            let b = s[i]
            if b == 0x5C, i + 1 < s.count { cur.append(b); cur.append(s[i + 1]); i += 2; continue }
            if b == 0x22 && paren == 0 { inQ.toggle() }
            else if !inQ {
                if b == 0x3C { angle += 1 } else if b == 0x3E { angle = max(0, angle - 1) }
                else if b == 0x28 { paren += 1 } else if b == 0x29 { paren = max(0, paren - 1) }
                else if b == 0x2C && angle == 0 && paren == 0 { out.append(cur); cur = []; i += 1; continue }
            }
            cur.append(b); i += 1
        }
        out.append(cur)
        return out
    }

    static func removeComments(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var depth = 0
        var inQ = false
        for b in s {
            if b == 0x22 && depth == 0 { inQ.toggle() }
            if !inQ && b == 0x28 { depth += 1; continue }
            if !inQ && b == 0x29 && depth > 0 { depth -= 1; continue }
            if depth == 0 { out.append(b) }
        }
        return out
    }

    /// Quoted parts unescaped, unquoted parts with comments removed.
    static func unquotePhrase(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < s.count {
            if s[i] == 0x22 {
                var j = i + 1
                while j < s.count, s[j] != 0x22 {
                    if s[j] == 0x5C, j + 1 < s.count { out.append(s[j + 1]); j += 2; continue }
                    out.append(s[j]); j += 1
                }
                i = j + 1
            } else {
                var j = i
                while j < s.count, s[j] != 0x22 { j += 1 }
                out.append(contentsOf: removeComments(Array(s[i..<j])))
                i = j
            }
        }
        return out
    }
}
