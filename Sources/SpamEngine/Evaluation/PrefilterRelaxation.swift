/// Rewrites a regex into a looser one for the Hyperscan prefilter. Large counted repeats
/// (`x{0,2048}`, `\w{1,80}`) make Hyperscan's compile explode; `x{m,n}` matches only
/// where `x*` (m = 0) or `x+` (m ≥ 1) matches, so the loose form still finds every text
/// the rule can match, and PCRE2 then decides exactly.
enum PrefilterRelaxation {
    /// Counted repeats with an upper bound (or exact count) at or above this are loosened.
    static let threshold = 2

    static func relax(_ pattern: String) -> String {
        let b = Array(pattern.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        var inClass = false
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\\") {
                // keep the escape; `\x{..}`, `\p{..}`, `\N{..}`, `\o{..}`, `\g{..}`, `\k{..}` whole
                out.append(c)
                if i + 1 < b.count {
                    out.append(b[i + 1])
                    let letter = b[i + 1]
                    i += 2
                    if "xpPNogk".utf8.contains(letter), i < b.count, b[i] == UInt8(ascii: "{") {
                        while i < b.count, b[i] != UInt8(ascii: "}") { out.append(b[i]); i += 1 }
                        if i < b.count { out.append(b[i]); i += 1 }
                    }
                } else {
                    i += 1
                }
                continue
            }
            if inClass {
                if c == UInt8(ascii: "]") { inClass = false }
                out.append(c); i += 1
                continue
            }
            if c == UInt8(ascii: "[") {
                inClass = true
                out.append(c); i += 1
                // `[]…]` and `[^]…]`: a leading `]` is a literal
                if i < b.count, b[i] == UInt8(ascii: "^") { out.append(b[i]); i += 1 }
                if i < b.count, b[i] == UInt8(ascii: "]") { out.append(b[i]); i += 1 }
                continue
            }
            if c == UInt8(ascii: "{"), let (minimum, maximum, end) = countedRepeat(b, at: i), maximum >= threshold {
                out.append(minimum == 0 ? UInt8(ascii: "*") : UInt8(ascii: "+"))
                i = end
                // a lazy or possessive suffix means nothing to a prefilter and `*+`/`*?` stay valid
                continue
            }
            out.append(c); i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `{n}`, `{m,}`, `{m,n}` at `i`: (min, max or Int.max, index after `}`); nil when the
    /// brace is a literal, as Perl reads it then.
    private static func countedRepeat(_ b: [UInt8], at i: Int) -> (Int, Int, Int)? {
        var j = i + 1
        func number() -> Int? {
            var n: Int?
            while j < b.count, b[j] >= 0x30, b[j] <= 0x39 {
                n = (n ?? 0) * 10 + Int(b[j] - 0x30)
                if n! > 100_000 { return nil }
                j += 1
            }
            return n
        }
        guard let minimum = number() else { return nil }
        var maximum = minimum
        if j < b.count, b[j] == UInt8(ascii: ",") {
            j += 1
            maximum = number() ?? Int.max
        }
        guard j < b.count, b[j] == UInt8(ascii: "}"), maximum >= minimum else { return nil }
        return (minimum, maximum, j + 1)
    }
}
