/// PCRE2 (as Debian builds it, 2-byte links) refuses a compiled pattern over 64 kB, and
/// it copies a group once per count of a fixed repeat: SpamAssassin's form rules
/// (`(?:<FF_YOUR><FF_ALL>…){5}` after ReplaceTags) grow past that, where Perl, which keeps
/// one copy, runs them. The rewrite keeps one copy too: the repeated `(?:BODY){n}` becomes a
/// call `(?&moatrepK){n}` of a group defined once at the end, `(?(DEFINE)(?<moatrepK>BODY))`.
/// Since PCRE2 10.30 a group call backtracks into the group as Perl's repeat does, so the
/// rewritten pattern matches the same texts; only capture numbering changes, which is why
/// patterns with back-references, calls or inline option scopes are left alone.
enum RepeatedGroupRewrite {
    /// Name prefix of the defined groups.
    static let prefix = "moatrep"

    /// The pattern with its largest repeated non-capturing group moved into a definition,
    /// or nil when it has none the rewrite may touch.
    static func rewrite(_ pattern: String, extended: Bool) -> String? {
        let p = Array(pattern.utf8)
        guard isSafe(p), let group = largestRepeatedGroup(p, extended: extended) else { return nil }
        var index = 1
        while pattern.contains(prefix + String(index)) { index += 1 }
        let name = prefix + String(index)
        let body = p[(group.open + 3)..<group.close]
        var out = Array(p[..<group.open])
        out += Array("(?&\(name))".utf8)
        out += p[(group.close + 1)...]
        out += Array("(?(DEFINE)(?<\(name)>".utf8) + body + Array("))".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// No back-reference, group call, relative reference or inline option group after the
    /// pattern's start (its scope would not reach a definition at the end).
    private static func isSafe(_ p: [UInt8]) -> Bool {
        var i = 0
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "\\"), i + 1 < p.count {
                let n = p[i + 1]
                if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(n) || n == UInt8(ascii: "g") || n == UInt8(ascii: "k") {
                    return false
                }
                i += 2
                continue
            }
            if c == UInt8(ascii: "("), i + 2 < p.count, p[i + 1] == UInt8(ascii: "?") {
                let n = p[i + 2]
                if "P&R-+0123456789".utf8.contains(n) { return false }
                if i > 0 && isInlineOption(p, from: i + 2) { return false }
            }
            i += 1
        }
        return true
    }

    /// `(?imsx-imsx)` or `(?imsx-imsx:` starting at `from` (just after "(?").
    private static func isInlineOption(_ p: [UInt8], from: Int) -> Bool {
        var j = from
        while j < p.count, "imsxnJU-^".utf8.contains(p[j]) { j += 1 }
        return j > from && j < p.count && (p[j] == UInt8(ascii: ")") || p[j] == UInt8(ascii: ":"))
    }

    /// The longest `(?:…)` group followed by `{n}`, `{n,}` or `{n,m}` with a count over 1.
    private static func largestRepeatedGroup(_ p: [UInt8], extended: Bool) -> (open: Int, close: Int)? {
        var stack: [Int] = []
        var best: (open: Int, close: Int)?
        var i = 0
        while i < p.count {
            let c = p[i]
            switch c {
            case UInt8(ascii: "\\"):
                if i + 1 < p.count, p[i + 1] == UInt8(ascii: "Q") {
                    i = endOfQuote(p, from: i + 2)
                    continue
                }
                i += 2
                continue
            case UInt8(ascii: "["):
                i = endOfClass(p, from: i)
                continue
            case UInt8(ascii: "#") where extended:
                while i < p.count, p[i] != 0x0A { i += 1 }
            case UInt8(ascii: "("):
                stack.append(i)
            case UInt8(ascii: ")"):
                guard let open = stack.popLast() else { return nil }
                let nonCapturing = open + 2 < i && p[open + 1] == UInt8(ascii: "?") && p[open + 2] == UInt8(ascii: ":")
                if nonCapturing, repeatCount(p, at: i + 1) > 1, i - open > (best.map { $0.close - $0.open } ?? 0) {
                    best = (open, i)
                }
            default:
                break
            }
            i += 1
        }
        return stack.isEmpty ? best : nil
    }

    /// The largest count of a `{n}`, `{n,}` (taken as n) or `{n,m}` quantifier at `at`; 0 if none.
    private static func repeatCount(_ p: [UInt8], at: Int) -> Int {
        guard at < p.count, p[at] == UInt8(ascii: "{") else { return 0 }
        var j = at + 1
        var numbers: [Int] = [0]
        var digits = 0
        while j < p.count {
            let c = p[j]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
                numbers[numbers.count - 1] = numbers[numbers.count - 1] * 10 + Int(c - UInt8(ascii: "0"))
                digits += 1
            } else if c == UInt8(ascii: ","), numbers.count == 1, digits > 0 {
                numbers.append(0)
            } else if c == UInt8(ascii: "}"), digits > 0 {
                return numbers.max() ?? 0
            } else {
                return 0
            }
            j += 1
        }
        return 0
    }

    /// Index just past the `\E` ending a `\Q` quote (or the end).
    private static func endOfQuote(_ p: [UInt8], from: Int) -> Int {
        var j = from
        while j + 1 < p.count {
            if p[j] == UInt8(ascii: "\\"), p[j + 1] == UInt8(ascii: "E") { return j + 2 }
            j += 1
        }
        return p.count
    }

    /// Index just past the `]` closing the class opened at `open` (a `]` first is literal;
    /// `[:name:]` and escapes are skipped).
    private static func endOfClass(_ p: [UInt8], from open: Int) -> Int {
        var j = open + 1
        if j < p.count, p[j] == UInt8(ascii: "^") { j += 1 }
        if j < p.count, p[j] == UInt8(ascii: "]") { j += 1 }
        while j < p.count {
            let c = p[j]
            if c == UInt8(ascii: "\\") {
                j += 2
                continue
            }
            if c == UInt8(ascii: "["), j + 1 < p.count, p[j + 1] == UInt8(ascii: ":") {
                var k = j + 2
                while k + 1 < p.count, !(p[k] == UInt8(ascii: ":") && p[k + 1] == UInt8(ascii: "]")) { k += 1 }
                j = k + 2
                continue
            }
            if c == UInt8(ascii: "]") { return j + 1 }
            j += 1
        }
        return p.count
    }
}
