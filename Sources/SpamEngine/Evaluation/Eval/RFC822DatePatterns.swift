/// The patterns `parse_rfc822_date` applies, matched by hand on the prepared date text
/// (PCRE byte mode: `\d` is ASCII digits, `/i` folds ASCII). Each returns the leftmost
/// match, as the regex would: the whole range and the capture groups in order (nil for a
/// group that did not take part). Every pattern is a fixed sequence of runs that must end
/// where the next piece starts, so at a given position there is at most one way to match.
enum RFC822DatePatterns {
    typealias Match = (whole: Range<Int>, groups: [ArraySlice<UInt8>?])

    static let months: [[UInt8]] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .map { Array($0.utf8) }

    /// ` (\d+) (Jan|…|Dec) (\d{4}) ` (`/i`); with `yearDigits` 2...3, the short-year form.
    static func dayMonthYear(_ t: [UInt8], yearDigits: ClosedRange<Int> = 4...4) -> Match? {
        for i in t.indices where t[i] == 0x20 {
            let day = digits(t, from: i + 1)
            guard day > 0, at(t, i + 1 + day) == 0x20 else { continue }
            let m = i + 2 + day
            guard isMonth(t, m), at(t, m + 3) == 0x20 else { continue }
            let year = digits(t, from: m + 4)
            guard yearDigits.contains(year), at(t, m + 4 + year) == 0x20 else { continue }
            return (i..<(m + 5 + year), [t[(i + 1)..<(i + 1 + day)], t[m..<(m + 3)], t[(m + 4)..<(m + 4 + year)]])
        }
        return nil
    }

    /// ` (Jan|…|Dec) +(\d+) \d+:\d+:\d+ (\d{4}) ` (`/i`).
    static func ctime(_ t: [UInt8]) -> Match? {
        for i in t.indices where t[i] == 0x20 && isMonth(t, i + 1) {
            var k = i + 4
            guard at(t, k) == 0x20 else { continue }
            while at(t, k) == 0x20 { k += 1 }
            let day = digits(t, from: k)
            guard day > 0, at(t, k + day) == 0x20 else { continue }
            var c = k + day + 1
            var ok = true
            for separator: UInt8 in [0x3A, 0x3A, 0x20] {
                let n = digits(t, from: c)
                guard n > 0, at(t, c + n) == separator else { ok = false; break }
                c += n + 1
            }
            guard ok, digits(t, from: c) == 4, at(t, c + 4) == 0x20 else { continue }
            return (i..<(c + 5), [t[(i + 1)..<(i + 4)], t[k..<(k + day)], t[c..<(c + 4)]])
        }
        return nil
    }

    /// ` (\d?\d):(\d\d)(:(\d\d))? `
    static func clock(_ t: [UInt8]) -> Match? {
        for i in t.indices where t[i] == 0x20 {
            let hour = digits(t, from: i + 1)
            guard hour == 1 || hour == 2, at(t, i + 1 + hour) == 0x3A else { continue }
            let m = i + 2 + hour
            guard isDigit(at(t, m)), isDigit(at(t, m + 1)) else { continue }
            if at(t, m + 2) == 0x3A, isDigit(at(t, m + 3)), isDigit(at(t, m + 4)), at(t, m + 5) == 0x20 {
                return (i..<(m + 6), [t[(i + 1)..<(i + 1 + hour)], t[m..<(m + 2)], t[(m + 2)..<(m + 5)], t[(m + 3)..<(m + 5)]])
            }
            if at(t, m + 2) == 0x20 {
                return (i..<(m + 3), [t[(i + 1)..<(i + 1 + hour)], t[m..<(m + 2)], nil, nil])
            }
        }
        return nil
    }

    /// ` ([-+]\d{4}) `
    static func numericZone(_ t: [UInt8]) -> Match? {
        for i in t.indices where t[i] == 0x20 && (at(t, i + 1) == 0x2D || at(t, i + 1) == 0x2B) {
            if digits(t, from: i + 2) == 4, at(t, i + 6) == 0x20 { return (i..<(i + 7), [t[(i + 1)..<(i + 6)]]) }
        }
        return nil
    }

    /// `\b([A-Z]{2,4}(?:-DST)?)\b` (case-sensitive): the longest run first, `-DST` tried
    /// before going without, as the greedy quantifiers backtrack.
    static func namedZone(_ t: [UInt8]) -> Match? {
        for i in t.indices where isUpper(t[i]) && (i == 0 || !EvalSupport.isWordByte(t[i - 1])) {
            var run = 0
            while run < 4, isUpper(at(t, i + run)) { run += 1 }
            guard run >= 2 else { continue }
            for length in stride(from: run, through: 2, by: -1) {
                let end = i + length
                if t[end...].starts(with: "-DST".utf8), !isWord(t, end + 4) { return (i..<(end + 4), [t[i..<(end + 4)]]) }
                if !isWord(t, end) { return (i..<end, [t[i..<end]]) }
            }
        }
        return nil
    }

    // MARK: - Pieces

    /// The byte at `i`, or 0 past the end (0 is none of the bytes the patterns look for).
    @inline(__always) static func at(_ t: [UInt8], _ i: Int) -> UInt8 { i < t.count ? t[i] : 0 }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }

    /// `\w` at `i` (past the end: no).
    static func isWord(_ t: [UInt8], _ i: Int) -> Bool { i < t.count && EvalSupport.isWordByte(t[i]) }

    /// The length of the run of digits starting at `i`.
    static func digits(_ t: [UInt8], from i: Int) -> Int {
        var k = i
        while k < t.count, isDigit(t[k]) { k += 1 }
        return max(0, k - i)
    }

    /// `(Jan|…|Dec)` at `i`, any case.
    static func isMonth(_ t: [UInt8], _ i: Int) -> Bool {
        guard i + 3 <= t.count else { return false }
        let name = t[i..<(i + 3)].map(EvalSupport.lowerByte)
        return months.contains(name)
    }
}
