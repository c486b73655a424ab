/// A welcome/block-list glob as SpamAssassin compiles it (`add_to_addrlist`): lowercased,
/// runs of `*` as one `.*`, `?` as `.`, NUL, `\` and `(` as a literal `_`, everything else
/// literal; matched as `/^…$/` without compiling that regex. In PCRE's byte mode `.`
/// matches anything but a newline, and `$` also before a final newline: see `subject`.
struct AddressGlob: Sendable {
    enum Token: Sendable, Equatable {
        case byte(UInt8)
        /// `?`: one byte.
        case any
        /// `*`: any run of bytes.
        case star
    }

    let tokens: [Token]

    init(_ glob: String) {
        var tokens: [Token] = []
        for byte in glob.lowercased().utf8 {
            switch byte {
            case UInt8(ascii: "*"): if tokens.last != .star { tokens.append(.star) }
            case UInt8(ascii: "?"): tokens.append(.any)
            case 0, UInt8(ascii: "\\"), UInt8(ascii: "("): tokens.append(.byte(UInt8(ascii: "_")))
            default: tokens.append(.byte(byte))
            }
        }
        self.tokens = tokens
    }

    /// The part of `address` a glob must match whole: without a final newline (`$` may
    /// precede it); nil when a newline remains, which neither a literal nor `.` matches.
    static func subject(_ address: [UInt8]) -> ArraySlice<UInt8>? {
        var s = address[...]
        if s.last == 0x0A { s = s.dropLast() }
        return s.contains(0x0A) ? nil : s
    }

    /// Whether the glob matches all of `s` (the classic wildcard walk: on a mismatch, the
    /// last `*` takes one more byte).
    func matches(_ s: ArraySlice<UInt8>) -> Bool {
        var p = 0, i = s.startIndex
        var star = -1, starEnd = s.startIndex
        while i < s.endIndex {
            if p < tokens.count, tokens[p] == .any || tokens[p] == .byte(s[i]) {
                p += 1
                i += 1
            } else if p < tokens.count, tokens[p] == .star {
                star = p
                starEnd = i
                p += 1
            } else if star >= 0 {
                p = star + 1
                starEnd += 1
                i = starEnd
            } else {
                return false
            }
        }
        while p < tokens.count, tokens[p] == .star { p += 1 }
        return p == tokens.count
    }
}
