import PCRE

/// SpamAssassin 4's capture rules (`feature_capture_rules`, bug 7992): a rule whose regex
/// names a group with an upper-case name (`(?<GB_TO_ADDR>.*)`) runs first and sets a tag
/// of that name to the non-empty values it captured; a rule whose regex holds `%{NAME}`
/// runs with each such template replaced by `(?:v1|v2…)` (each value quotemeta'd), and does
/// not run at all while a tag it names has no value. The tags are per message, as
/// `spamassassin -t` runs them; spamd 4.0.1 keeps the first message's substitution in the
/// compiled rule for every later message of a child, which is not reproduced.
enum CaptureRules {
    /// Tag name → captured values, first seen first, each once.
    typealias Tags = [String: [[UInt8]]]

    /// A rule that sets tags: its regex and which group number carries which tag.
    struct Capture: Sendable {
        var rule: Int
        var target: Target
        var regex: PCRERegex
        var groups: [(name: String, group: Int)]
        var multiple: Bool
        var maxHits: Int
    }

    /// A rule whose regex is completed per message from the tags.
    struct Template: Sendable {
        var rule: Int
        var target: Target
        var source: PerlRegex
        var names: [String]
        var negated: Bool
        var ifUnset: [UInt8]?
        var skipsSubject: Bool
    }

    /// Which text a rule reads.
    enum Target: Sendable {
        case header(HeaderSelector)
        case text(RuleKind)
    }

    /// `%{NAME}` templates (not after a backslash) in `pattern`, in order, each once.
    static func templateNames(_ pattern: String) -> [String] {
        templates(in: Array(pattern.utf8)).reduce(into: [String]()) { names, t in
            if !names.contains(t.name) { names.append(t.name) }
        }
    }

    private static func templates(in p: [UInt8]) -> [(range: Range<Int>, name: String)] {
        var out: [(Range<Int>, String)] = []
        var i = 0
        while i + 3 < p.count {
            defer { i += 1 }
            guard p[i] == UInt8(ascii: "%"), p[i + 1] == UInt8(ascii: "{"), i == 0 || p[i - 1] != UInt8(ascii: "\\"),
                  let close = p[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) else { continue }
            let name = String(decoding: p[(i + 2)..<close], as: UTF8.self)
            guard isTagName(name) else { continue }
            out.append((i..<(close + 1), name))
        }
        return out
    }

    /// `^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$` (Check.pm's and set_captures' safety check).
    static func isTagName(_ name: String) -> Bool {
        let b = Array(name.utf8)
        guard let first = b.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first), b.last != UInt8(ascii: "_") else {
            return false
        }
        var previousUnderscore = false
        for c in b {
            let upperOrDigit = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
            if c == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if upperOrDigit {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    /// The pattern with every template replaced by its tag's values; nil when a tag it
    /// names has none (the rule does not run).
    static func substitute(_ pattern: String, tags: Tags) -> String? {
        let p = Array(pattern.utf8)
        var out: [UInt8] = []
        var last = 0
        for t in templates(in: p) {
            guard let values = tags[t.name], !values.isEmpty else { return nil }
            out += p[last..<t.range.lowerBound]
            out += Array(("(?:" + values.map(EvalSupport.quoteMeta).joined(separator: "|") + ")").utf8)
            last = t.range.upperBound
        }
        out += p[last...]
        return String(decoding: out, as: UTF8.self)
    }

    /// Capture groups named like tags (`(?<NAME>`, `(?P<NAME>`, `(?'NAME'`) and their
    /// group numbers, counting every capturing group from the left as PCRE2 does.
    static func tagGroups(_ pattern: String) -> [(name: String, group: Int)] {
        let p = Array(pattern.utf8)
        var out: [(String, Int)] = []
        var group = 0
        var i = 0
        var inClass = false
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "\\") { i += 2; continue }
            if inClass {
                if c == UInt8(ascii: "]") { inClass = false }
                i += 1
                continue
            }
            if c == UInt8(ascii: "[") {
                inClass = true
                i += 1
                if i < p.count, p[i] == UInt8(ascii: "^") { i += 1 }
                if i < p.count, p[i] == UInt8(ascii: "]") { i += 1 }
                continue
            }
            if c == UInt8(ascii: "(") {
                if i + 1 < p.count, p[i + 1] == UInt8(ascii: "?") {
                    var j = i + 2
                    if j < p.count, p[j] == UInt8(ascii: "P") { j += 1 }
                    if j < p.count, p[j] == UInt8(ascii: "<") || p[j] == UInt8(ascii: "'"),
                       j + 1 < p.count, p[j + 1] != UInt8(ascii: "="), p[j + 1] != UInt8(ascii: "!") {
                        group += 1
                        var k = j + 1
                        while k < p.count, p[k] != UInt8(ascii: ">"), p[k] != UInt8(ascii: "'") { k += 1 }
                        let name = String(decoding: p[(j + 1)..<k], as: UTF8.self)
                        if isTagName(name) { out.append((name, group)) }
                    }
                } else if !(i + 1 < p.count && p[i + 1] == UInt8(ascii: "*")) {
                    group += 1
                }
            }
            i += 1
        }
        return out
    }
}
