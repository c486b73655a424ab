/// HeaderEval patterns that interpolate a per-message literal (`\Q$to\E`), matched by
/// hand: compiling (and JIT-compiling) a fresh regex for every message cost more than the
/// rest of the eval. Each function states the Perl pattern it reproduces. Matching is
/// PCRE2's byte mode with its default C-locale tables, as the compiled pattern had: `/i`
/// folds ASCII letters only, `\s` is `[\t\n\v\f\r ]`, `\w` is `[A-Za-z0-9_]`, `$` matches
/// at the end or before a final newline, `.` is anything but a newline.
enum InterpolatedPatterns {
    typealias S = EvalSupport

    /// `/\b\Q$literal\E\b/i` (check_for_to_in_subject('address')).
    static func wordBounded(_ literal: [UInt8], in text: [UInt8]) -> Bool {
        guard literal.count <= text.count else { return false }
        for start in 0...(text.count - literal.count)
        where isBoundary(text, start) && equalsCaseless(text, at: start, literal) && isBoundary(text, start + literal.count) {
            return true
        }
        return false
    }

    /// check_for_to_in_subject('user'), with Q the quoted local part (every alternative
    /// is anchored at the start):
    /// `/^(?:(?:re|fw):\s*(?:\w+\s+)?Q$|(?-i:Q)\s*[,:;!?-](?:$|\s)|Q$|,\s*Q[,:;!?-]$)/i`
    static func localPartInSubject(_ user: [UInt8], in subject: [UInt8]) -> Bool {
        let n = subject.count, q = user.count
        // Where `$` may match: the end, and before a final newline.
        let ends = n > 0 && subject[n - 1] == 0x0A ? [n, n - 1] : [n]

        // (?:re|fw):\s*(?:\w+\s+)?Q$  — Q's place is fixed by `$`; what lies between the
        // colon and Q must be \s* or \s*\w+\s+ (the classes are disjoint: one split).
        if n >= 3, equalsCaseless(subject, at: 0, [0x72, 0x65]) || equalsCaseless(subject, at: 0, [0x66, 0x77]),
           subject[2] == 0x3A {
            for end in ends where end - q >= 3 && equalsCaseless(subject, at: end - q, user)
            && isSpacesThenOptionalWord(subject, from: 3, to: end - q) {
                return true
            }
        }
        // (?-i:Q)\s*[,:;!?-](?:$|\s)  — `$` here is the end, or a final newline (a `\s`).
        if equalsExactly(subject, at: 0, user) {
            var k = q
            while k < n, S.isSpace(subject[k]) { k += 1 }
            if k < n, isToPunctuation(subject[k]), k + 1 == n || S.isSpace(subject[k + 1]) { return true }
        }
        // Q$
        if ends.contains(q), equalsCaseless(subject, at: 0, user) { return true }
        // ,\s*Q[,:;!?-]$  — Q and the punctuation end at `$`; only blanks between the comma and Q.
        if n > 0, subject[0] == 0x2C {
            for end in ends where end >= q + 2 && isToPunctuation(subject[end - 1]) {
                let start = end - 1 - q
                guard equalsCaseless(subject, at: start, user) else { continue }
                if (1..<start).allSatisfy({ S.isSpace(subject[$0]) }) { return true }
            }
        }
        return false
    }

    /// check_ratware_envelope_from: `/\b\Q$domain\E.\Q$user\E@/i` over the envelope sender.
    static func domainDotUser(_ domain: [UInt8], _ user: [UInt8], in from: [UInt8]) -> Bool {
        let length = domain.count + 1 + user.count + 1
        guard length <= from.count else { return false }
        for start in 0...(from.count - length) where isBoundary(from, start) && equalsCaseless(from, at: start, domain) {
            let dot = start + domain.count
            if from[dot] != 0x0A, equalsCaseless(from, at: dot + 1, user), from[dot + 1 + user.count] == 0x40 { return true }
        }
        return false
    }

    // MARK: - Pieces

    /// `[,:;!?-]`
    static func isToPunctuation(_ b: UInt8) -> Bool {
        b == 0x2C || b == 0x3A || b == 0x3B || b == 0x21 || b == 0x3F || b == 0x2D
    }

    /// `\s*(?:\w+\s+)?` matches exactly `text[from..<to]`.
    static func isSpacesThenOptionalWord(_ text: [UInt8], from: Int, to: Int) -> Bool {
        var i = from
        while i < to, S.isSpace(text[i]) { i += 1 }
        if i == to { return true }
        var j = i
        while j < to, S.isWordByte(text[j]) { j += 1 }
        guard j > i, j < to else { return false }
        while j < to, S.isSpace(text[j]) { j += 1 }
        return j == to
    }

    /// `\b` at `index`: a word byte on exactly one side.
    static func isBoundary(_ text: [UInt8], _ index: Int) -> Bool {
        let before = index > 0 && S.isWordByte(text[index - 1])
        let after = index < text.count && S.isWordByte(text[index])
        return before != after
    }

    static func equalsCaseless(_ text: [UInt8], at start: Int, _ literal: [UInt8]) -> Bool {
        guard start >= 0, start + literal.count <= text.count else { return false }
        for k in 0..<literal.count where S.lowerByte(text[start + k]) != S.lowerByte(literal[k]) { return false }
        return true
    }

    static func equalsExactly(_ text: [UInt8], at start: Int, _ literal: [UInt8]) -> Bool {
        guard start >= 0, start + literal.count <= text.count else { return false }
        for k in 0..<literal.count where text[start + k] != literal[k] { return false }
        return true
    }
}
