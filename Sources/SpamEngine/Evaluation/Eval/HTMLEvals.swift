import Foundation
import MIME
import PCRE

/// Ports of `Mail::SpamAssassin::Plugin::HTMLEval` (4.0.1). Every function walks
/// `$pms->{html_all}` (``SAMessage/htmlParts``) and hits when any HTML part qualifies.
public enum HTMLEvals {
    typealias S = EvalSupport

    static func register(into registry: inout EvalRegistry) {
        let functions: [(String, @Sendable (EvalInput) -> Bool)] = [
            ("html_tag_balance", htmlTagBalance),
            ("html_image_only", htmlImageOnly),
            ("html_image_ratio", htmlImageRatio),
            // SpamAssassin's default `ok_locales all` makes this return 0 before looking.
            ("html_charset_faraway", { _ in false }),
            ("html_tag_exists", htmlTagExists),
            ("html_test", htmlTest),
            ("html_eval", htmlEval),
            ("html_text_match", { htmlTextMatch($0, negate: false) }),
            ("html_text_not_match", { htmlTextMatch($0, negate: true) }),
            ("html_title_subject_ratio", htmlTitleSubjectRatio),
            ("html_range", htmlRange),
            ("check_iframe_src", checkIframeSrc),
        ]
        for (name, function) in functions {
            registry.register(name) { function($0) ? 1 : 0 }
        }
    }

    static func parts(_ input: EvalInput) -> [HTMLSummary] {
        input.message?.htmlParts ?? []
    }

    // MARK: - Values by `{results}` key

    /// A numeric `{results}` value (nil where SpamAssassin leaves the key undefined).
    static func numeric(_ html: HTMLSummary, _ key: String) -> Double? {
        switch key {
        case "html": return html.isHTML ? 1 : nil
        case "length": return Double(html.length)
        case "min_size": return Double(html.minSize)
        case "max_size": return Double(html.maxSize)
        case "image_area": return Double(html.imageArea)
        case "html_length": return Double(html.htmlLength)
        case "non_space_len": return Double(html.nonSpaceLength)
        case "ratio": return html.ratio
        case "backhair_count": return html.backhairCount.map(Double.init)
        case "bad_tag_ratio": return html.badTagRatio
        case "non_element_ratio": return html.nonElementRatio
        case "obfuscation_ratio": return html.obfuscationRatio
        case "closed_extra_ratio": return html.closedExtraRatio
        case "font_low_contrast": return html.fontLowContrast ? 1 : nil
        case "font_invalid_color": return html.fontInvalidColor ? 1 : nil
        case "font_face_bad": return html.fontFaceBad ? 1 : nil
        case "form_action_mailto": return html.formActionMailto ? 1 : nil
        case "embeds": return html.embeds ? 1 : nil
        default: return nil
        }
    }

    /// An array-valued `{results}` key (`anchor`, `comment`, `script`, `title`).
    static func strings(_ html: HTMLSummary, _ key: String) -> [[UInt8]]? {
        switch key {
        case "anchor": return html.anchors
        case "comment": return html.comments
        case "script": return html.scripts
        case "title": return html.titles
        case "uri": return html.uris.map(\.uri)
        default: return nil
        }
    }

    /// `eval "\$val $expr"` for the expressions rules use: `[op] number` with op one of
    /// `< <= > >= == !=` (a bare number is true when non-zero, as Perl's `$val 5` is a
    /// syntax error → false; we return false).
    static func evaluate(_ value: Double, _ expression: String) -> Bool {
        let allowed = Set("<>=!-+ 0123456789")
        guard !expression.isEmpty, expression.allSatisfy({ allowed.contains($0) }) else { return false }
        var e = Substring(expression.trimmingSpaces())
        var op = ""
        while let c = e.first, "<>=!".contains(c) { op.append(c); e = e.dropFirst() }
        let digits = String(e).replacingSpaces()
        guard let rhs = Double(digits) else { return false }
        switch op {
        case "<": return value < rhs
        case "<=": return value <= rhs
        case ">": return value > rhs
        case ">=": return value >= rhs
        case "==": return value == rhs
        case "!=": return value != rhs
        default: return false
        }
    }

    // MARK: - Functions

    static func htmlTagBalance(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 2 else { return false }
        let tag = input.arguments[0]
        guard !tag.isEmpty, tag.utf8.allSatisfy({ S.isWordByte($0) && $0 != 0x5F }) else { return false }
        for html in parts(input) {
            guard let value = html.inside[tag] else { continue }
            if evaluate(Double(value), input.arguments[1]) { return true }
        }
        return false
    }

    static func htmlImageOnly(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 2, let min = S.number(input.arguments[0]),
              let max = S.number(input.arguments[1]) else { return false }
        for html in parts(input) where html.inside["img"] != nil {
            let length = Double(html.length)
            if length > min && length <= max { return true }
        }
        return false
    }

    static func htmlImageRatio(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 2, let min = S.number(input.arguments[0]),
              let max = S.number(input.arguments[1]) else { return false }
        for html in parts(input) where html.imageArea > 0 {
            let ratio = Double(html.nonSpaceLength) / Double(html.imageArea)
            if ratio > min && ratio <= max { return true }
        }
        return false
    }

    static func htmlTagExists(_ input: EvalInput) -> Bool {
        guard let tag = input.arguments.first else { return false }
        return parts(input).contains { $0.inside[tag] != nil }
    }

    static func htmlTest(_ input: EvalInput) -> Bool {
        guard let key = input.arguments.first else { return false }
        return parts(input).contains { (numeric($0, key) ?? 0) != 0 }
    }

    static func htmlEval(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 2 else { return false }
        for html in parts(input) {
            guard let value = numeric(html, input.arguments[0]) else { continue }
            if evaluate(value, input.arguments[1]) { return true }
        }
        return false
    }

    private static let regexCache = RegexCache()

    static func htmlTextMatch(_ input: EvalInput, negate: Bool) -> Bool {
        guard input.arguments.count >= 2, let regex = regexCache.regex(input.arguments[1]) else { return false }
        for html in parts(input) {
            guard let list = strings(html, input.arguments[0]) else { continue }
            for string in list where S.matches(regex, string) != negate { return true }
        }
        return false
    }

    static func htmlTitleSubjectRatio(_ input: EvalInput) -> Bool {
        guard let ratio = input.arguments.first.flatMap(S.number) else { return false }
        let subject = S.getOrEmpty(input.subject, "Subject")
        if subject.isEmpty { return false }
        let subjectLength = Double(characterCount(subject))
        for html in parts(input) {
            var max = 0.0
            for title in html.titles where !title.isEmpty && title != [0x30] {
                let r = Double(characterCount(title)) / subjectLength
                if r > max { max = r }
            }
            if max > ratio { return true }
        }
        return false
    }

    static func htmlRange(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 2, let min = S.number(input.arguments[1]) else { return false }
        let maxArg = input.arguments.count >= 3 ? input.arguments[2] : nil
        for html in parts(input) {
            guard let value = numeric(html, input.arguments[0]) else { continue }
            if maxArg == nil || maxArg == "inf" {
                if value > min { return true }
            } else if let max = S.number(maxArg) {
                if value > min && value <= max { return true }
            }
        }
        return false
    }

    static func checkIframeSrc(_ input: EvalInput) -> Bool {
        parts(input).contains { $0.uris.contains { $0.types.contains("iframe") } }
    }

    /// Perl `length` of a decoded string: characters (UTF-8 lead bytes; invalid bytes count 1).
    static func characterCount(_ bytes: [UInt8]) -> Int {
        if String(validating: bytes, as: UTF8.self) != nil {
            return bytes.reduce(0) { $0 + (($1 & 0xC0) == 0x80 ? 0 : 1) }
        }
        return bytes.count
    }
}

/// Rule-supplied patterns compiled once (`compile_regexp($re, 0)`), UTF-8 aware when possible.
final class RegexCache: @unchecked Sendable {
    private var cache: [String: PCRERegex?] = [:]
    private let lock = NSLock()

    func regex(_ pattern: String) -> PCRERegex? {
        lock.lock(); defer { lock.unlock() }
        if let hit = cache[pattern] { return hit }
        let compiled = (try? PCRERegex(pattern, options: [.utf])) ?? (try? PCRERegex(pattern, options: []))
        cache[pattern] = compiled
        return compiled
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }

    fileprivate func replacingSpaces() -> String { String(filter { $0 != " " }) }
}

extension EvalRegistry {
    /// HTMLEval's functions.
    public mutating func registerHTMLEvals(config: RuleConfiguration) {
        HTMLEvals.register(into: &self)
    }
}
