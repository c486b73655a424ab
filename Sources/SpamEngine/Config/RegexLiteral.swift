import PCRE

/// SpamAssassin's reading of a delimited regex (`Util::compile_regexp`): `/re/flags`,
/// `m{re}flags`, `m!re!flags`, `qr(re)`, any `m` + non-word delimiter.
///
/// As in SpamAssassin the closing delimiter is the last one on the line, followed only by
/// modifier letters (`[a-df-z]*`); an unescaped delimiter inside (non-bracket delimiters
/// only) is an error, as are `(?{ code })` blocks.
enum RegexLiteral {
    enum Failure: Error, Equatable {
        case missingDelimiters
        case backslashDelimiter
        case badEnd(Character)
        case unquotedDelimiter(Character)
        case codeBlock

        var message: String {
            switch self {
            case .missingDelimiters: return "missing regexp delimiters"
            case .backslashDelimiter: return "backslash delimiter not allowed"
            case .badEnd(let d): return "unterminated regexp: no closing '\(d)' followed only by modifiers"
            case .unquotedDelimiter(let d): return "unquoted delimiter '\(d)' found inside regexp"
            case .codeBlock: return "code block (?{...}) not allowed"
            }
        }
    }

    static func parse(_ text: Substring) -> Result<PerlRegex, Failure> {
        let utf8 = Array(text.utf8)
        var start = 0
        let close: UInt8
        if utf8.first == UInt8(ascii: "/") {
            close = UInt8(ascii: "/")
            start = 1
        } else {
            var i = 0
            if utf8.starts(with: [UInt8(ascii: "q"), UInt8(ascii: "r")]) { i = 2 } else if utf8.first == UInt8(ascii: "m") { i = 1 } else {
                return .failure(.missingDelimiters)
            }
            guard i < utf8.count, !isWordByte(utf8[i]) else { return .failure(.missingDelimiters) }
            let open = utf8[i]
            switch open {
            case UInt8(ascii: "{"): close = UInt8(ascii: "}")
            case UInt8(ascii: "("): close = UInt8(ascii: ")")
            case UInt8(ascii: "<"): close = UInt8(ascii: ">")
            case UInt8(ascii: "["): close = UInt8(ascii: "]")
            case UInt8(ascii: "\\"): return .failure(.backslashDelimiter)
            default: close = open
            }
            start = i + 1
        }
        // Closing delimiter: the last one, followed only by [a-df-z]* up to the end.
        var end = utf8.count
        while end > start, isModifier(utf8[end - 1]) { end -= 1 }
        guard end > start, utf8[end - 1] == close else {
            return .failure(.badEnd(Character(Unicode.Scalar(close))))
        }
        let body = Array(utf8[start..<(end - 1)])
        let flags = String(decoding: utf8[end...], as: UTF8.self)

        if containsCodeBlock(body) { return .failure(.codeBlock) }
        if close != UInt8(ascii: "}") && close != UInt8(ascii: ")") && close != UInt8(ascii: "]") {
            // Perl's check: drop `\\` pairs, then any delimiter not preceded by a backslash.
            var previousBackslash = false
            var i = 0
            while i < body.count {
                let b = body[i]
                if b == UInt8(ascii: "\\") {
                    if i + 1 < body.count && body[i + 1] == UInt8(ascii: "\\") { i += 2; previousBackslash = false; continue }
                    previousBackslash = true
                } else {
                    if b == close && !previousBackslash { return .failure(.unquotedDelimiter(Character(Unicode.Scalar(close)))) }
                    previousBackslash = false
                }
                i += 1
            }
        }
        return .success(PerlRegex(pattern: String(decoding: body, as: UTF8.self), flags: flags))
    }

    /// Compiles the regex with PCRE2 as the rule compiler will (bytes, no UTF), returning
    /// PCRE2's complaint or nil. `%{TAG}` capture templates are SpamAssassin 4 run-time
    /// substitutions; they are checked as an empty string.
    static func compileError(_ regex: PerlRegex) -> String? {
        var pattern = regex.pattern
        if pattern.contains("%{") { pattern = stripCaptureTemplates(pattern) }
        do {
            _ = try PerlRegexTranslation.compile(pattern: pattern, options: options(for: regex.flags))
            return nil
        } catch {
            return "\(error.message) at offset \(error.offset ?? 0)"
        }
    }

    static func options(for flags: String) -> PCREOptions {
        var options: PCREOptions = []
        for flag in flags.utf8 {
            switch flag {
            case UInt8(ascii: "i"): options.insert(.caseless)
            case UInt8(ascii: "s"): options.insert(.dotAll)
            case UInt8(ascii: "m"): options.insert(.multiline)
            case UInt8(ascii: "x"): options.insert(.extended)
            default: break
            }
        }
        return options
    }

    /// Whether the pattern names a capture (`(?<NAME>`, `(?P<NAME>`, `(?'NAME'`) the way
    /// SpamAssassin detects capture rules (upper-case first letter).
    static func hasNamedCapture(_ pattern: String) -> Bool {
        let b = Array(pattern.utf8)
        var i = 0
        while i + 3 < b.count {
            if b[i] == UInt8(ascii: "("), b[i + 1] == UInt8(ascii: "?") {
                var j = i + 2
                if b[j] == UInt8(ascii: "P") { j += 1 }
                if j + 1 < b.count, b[j] == UInt8(ascii: "<") || b[j] == UInt8(ascii: "'"),
                   b[j + 1] >= UInt8(ascii: "A") && b[j + 1] <= UInt8(ascii: "Z") {
                    return true
                }
            }
            i += 1
        }
        return false
    }

    private static func stripCaptureTemplates(_ pattern: String) -> String {
        var out: [UInt8] = []
        let b = Array(pattern.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "{"),
               i == 0 || b[i - 1] != UInt8(ascii: "\\"),
               let close = b[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) {
                i = close + 1
                continue
            }
            out.append(b[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func containsCodeBlock(_ body: [UInt8]) -> Bool {
        var i = 0
        while i + 2 < body.count {
            if body[i] == UInt8(ascii: "("), body[i + 1] == UInt8(ascii: "?") {
                if body[i + 2] == UInt8(ascii: "{") { return true }
                if body[i + 2] == UInt8(ascii: "?"), i + 3 < body.count, body[i + 3] == UInt8(ascii: "{") { return true }
            }
            i += 1
        }
        return false
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }

    private static func isModifier(_ b: UInt8) -> Bool {
        b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") && b != UInt8(ascii: "e")
    }
}
