/// The base subject of RFC 5256 §2.1, which SORT SUBJECT and both THREAD algorithms group
/// and order by: `Re: [list] Fwd: Hello (fwd)` → `Hello`.
struct BaseSubject: Hashable, Sendable {
    /// The base subject, not yet case folded.
    var text: String
    /// Whether a `Re:`/`Fw:`/`Fwd:` leader, a `(fwd)` trailer or a `[fwd: …]` wrapper was
    /// removed: REFERENCES threading (step 5) needs to know a reply from an original.
    var isReplyOrForward: Bool

    /// `subject`: the Subject header, RFC 2047-decoded (step 1's conversion to UTF-8).
    init(_ subject: String) {
        var scalars = Self.collapsingWhitespace(subject)
        var reply = false
        while true {
            reply = Self.removeTrailers(&scalars) || reply                           // step 2
            reply = Self.removeLeaders(&scalars) || reply                            // steps 3 and 4
            guard Self.removeForwardWrapper(&scalars) else { break }                 // step 5
            reply = true
        }
        text = String(String.UnicodeScalarView(scalars))
        isReplyOrForward = reply
    }

    private typealias Scalars = [Unicode.Scalar]

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n"
    }

    /// Step 1: tabs and line breaks become spaces, runs of spaces one space.
    private static func collapsingWhitespace(_ text: String) -> Scalars {
        var out: Scalars = []
        for scalar in text.unicodeScalars {
            if isWhitespace(scalar) {
                if out.last != " " { out.append(" ") }
            } else {
                out.append(scalar)
            }
        }
        return out
    }

    /// Step 2: trailing `(fwd)` and white space, repeatedly.
    private static func removeTrailers(_ s: inout Scalars) -> Bool {
        var removed = false
        while true {
            if let last = s.last, isWhitespace(last) {
                s.removeLast()
            } else if hasSuffix(s, "(fwd)") {
                s.removeLast(5)
                removed = true
            } else {
                return removed
            }
        }
    }

    /// Steps 3 and 4, repeated until neither changes anything: leading white space, a
    /// `subj-leader` (`*subj-blob subj-refwd`), and a leading `subj-blob` when text remains
    /// after it.
    private static func removeLeaders(_ s: inout Scalars) -> Bool {
        var removed = false
        var changed = true
        while changed {
            changed = false
            while let first = s.first, isWhitespace(first) {
                s.removeFirst()
                changed = true
            }
            if let end = leaderEnd(s) {
                s.removeFirst(end)
                removed = true
                changed = true
            } else if let end = blobEnd(s, from: 0), end < s.count {
                s.removeFirst(end)
                changed = true
            }
        }
        return removed
    }

    /// Where `*subj-blob subj-refwd` ends, if `s` starts with one.
    /// `subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"`.
    private static func leaderEnd(_ s: Scalars) -> Int? {
        var index = 0
        while let end = blobEnd(s, from: index) { index = end }
        if hasPrefix(s, "re", at: index) {
            index += 2
        } else if hasPrefix(s, "fwd", at: index) {
            index += 3
        } else if hasPrefix(s, "fw", at: index) {
            index += 2
        } else {
            return nil
        }
        while index < s.count, isWhitespace(s[index]) { index += 1 }
        if let end = blobEnd(s, from: index) { index = end }
        guard index < s.count, s[index] == ":" else { return nil }
        return index + 1
    }

    /// `subj-blob = "[" *BLOBCHAR "]" *WSP` starting at `start`: where it ends.
    private static func blobEnd(_ s: Scalars, from start: Int) -> Int? {
        guard start < s.count, s[start] == "[" else { return nil }
        var index = start + 1
        while index < s.count, s[index] != "]" {
            if s[index] == "[" { return nil }
            index += 1
        }
        guard index < s.count else { return nil }
        index += 1
        while index < s.count, isWhitespace(s[index]) { index += 1 }
        return index
    }

    /// Step 5: `[fwd: subject]` becomes `subject`.
    private static func removeForwardWrapper(_ s: inout Scalars) -> Bool {
        guard hasPrefix(s, "[fwd:", at: 0), s.last == "]", s.count >= 6 else { return false }
        s = Array(s[5..<(s.count - 1)])
        return true
    }

    private static func hasPrefix(_ s: Scalars, _ word: String, at index: Int) -> Bool {
        let pattern = Array(word.unicodeScalars)
        guard s.count - index >= pattern.count else { return false }
        for (offset, expected) in pattern.enumerated() where lowercased(s[index + offset]) != expected { return false }
        return true
    }

    private static func hasSuffix(_ s: Scalars, _ word: String) -> Bool {
        let count = word.unicodeScalars.count
        return s.count >= count && hasPrefix(s, word, at: s.count - count)
    }

    private static func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
    }
}
