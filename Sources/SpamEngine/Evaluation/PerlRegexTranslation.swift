import CHyperscan
import PCRE

/// How a `.cf` regex is compiled: PCRE2 options for the exact match, and Hyperscan flags
/// for the prefilter. Perl and PCRE2 agree on nearly all syntax SpamAssassin rules use;
/// what PCRE2 refuses is reported by lint and the rule is skipped.
enum PerlRegexTranslation {
    static func pcreOptions(_ regex: PerlRegex) -> PCREOptions {
        var options: PCREOptions = []
        for flag in regex.flags {
            switch flag {
            case "i": options.insert(.caseless)
            case "s": options.insert(.dotAll)
            case "m": options.insert(.multiline)
            case "x": options.insert(.extended)
            default: break // g, o, p: no effect on whether a rule matches
            }
        }
        return options
    }

    /// PCRE2's "regular expression is too large" (its compiled form exceeds the link size).
    static let patternTooLarge: Int32 = 120

    /// Compiles the pattern; one PCRE2 finds too large is compiled again with its repeated
    /// groups defined once (``RepeatedGroupRewrite``), as Perl would run it.
    static func compile(_ regex: PerlRegex) throws(PCREError) -> PCRERegex {
        try compile(pattern: regex.pattern, options: pcreOptions(regex))
    }

    static func compile(pattern: String, options: PCREOptions) throws(PCREError) -> PCRERegex {
        var pattern = pattern
        var firstError: PCREError?
        for _ in 0..<8 {
            do {
                return try PCRERegex(pattern, options: options)
            } catch {
                if firstError == nil { firstError = error }
                guard error.code == patternTooLarge,
                      let smaller = RepeatedGroupRewrite.rewrite(pattern, extended: options.contains(.extended))
                else { break }
                pattern = smaller
            }
        }
        throw firstError!
    }

    /// Hyperscan flags for a prefilter entry: PREFILTER accepts constructs Hyperscan cannot
    /// match exactly (back-references, look-arounds) by over-approximating, which is all a
    /// prefilter needs; SINGLEMATCH because one report per text is enough.
    static func hyperscanFlags(_ regex: PerlRegex) -> (pattern: String, flags: UInt32) {
        var flags = UInt32(HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY)
        var pattern = regex.pattern
        for flag in regex.flags {
            switch flag {
            case "i": flags |= UInt32(HS_FLAG_CASELESS)
            case "s": flags |= UInt32(HS_FLAG_DOTALL)
            case "m": flags |= UInt32(HS_FLAG_MULTILINE)
            case "x": pattern = "(?x)" + pattern
            default: break
            }
        }
        return (pattern, flags)
    }
}
