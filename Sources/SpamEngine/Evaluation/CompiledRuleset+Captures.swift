import MoatCore
import PCRE

/// Running SpamAssassin 4's capture rules (``CaptureRules``) within the local phase.
extension CompiledRuleset {
    /// The tags the capture rules set on `subject` (they run first in SpamAssassin, at
    /// priority -10000; their hits are counted with the other rules of their kind).
    func captureTags(_ subject: some RuleSubject, scratch: PCREScratch) -> CaptureRules.Tags {
        var tags: CaptureRules.Tags = [:]
        for capture in captures {
            var values: [String: [[UInt8]]] = [:]
            var matches = 0
            search: for text in texts(capture.target, subject) {
                var start = 0
                while start <= text.count, let groups = Self.captureRanges(capture.regex, text, from: start),
                      let whole = groups[0] {
                    for (name, group) in capture.groups where group < groups.count {
                        if let range = groups[group], !range.isEmpty { values[name, default: []].append(Array(text[range])) }
                    }
                    matches += 1
                    // Without tflags multiple the rule stops at its first match.
                    if !capture.multiple || (capture.maxHits > 0 && matches >= capture.maxHits) { break search }
                    start = whole.isEmpty ? whole.upperBound + 1 : whole.upperBound
                }
            }
            // set_captures: each tag set anew, its values made unique in order.
            for (name, found) in values {
                var unique: [[UInt8]] = []
                for value in found where !unique.contains(value) { unique.append(value) }
                tags[name] = unique
            }
        }
        return tags
    }

    /// Runs the template rules with `tags` substituted; one whose tag is unset does not run.
    func runTemplates(_ subject: some RuleSubject, tags: CaptureRules.Tags, counts: inout [Double], scratch: PCREScratch) {
        for template in templates {
            guard let pattern = CaptureRules.substitute(template.source.pattern, tags: tags),
                  let regex = templateRegexes.regex(PerlRegex(pattern: pattern, flags: template.source.flags))
            else { continue }
            var n = 0
            for (position, text) in texts(template.target, subject, ifUnset: template.ifUnset).enumerated() {
                if position == 0 && template.skipsSubject { continue }
                if EvalSupport.matches(regex, text) { n += 1 }
                if n > 0 && !rules[template.rule].multiple { break }
            }
            if template.negated { n = n == 0 ? 1 : 0 }
            if n > 0 { counts[template.rule] = Double(n) }
        }
    }

    private static func captureRanges(_ regex: PCRERegex, _ text: [UInt8], from start: Int) -> [Range<Int>?]? {
        text.withUnsafeBufferPointer { try? regex.captures(in: $0, from: start) } ?? nil
    }

    private func texts(_ target: CaptureRules.Target, _ subject: some RuleSubject, ifUnset: [UInt8]? = nil) -> [[UInt8]] {
        switch target {
        case .header(let selector): return [subject.header(selector) ?? ifUnset ?? []]
        case .text(.body): return subject.bodyParagraphs
        case .text(.rawbody): return subject.rawbodyLines
        case .text(.uri): return subject.uris
        case .text(.full): return [subject.full]
        case .text: return []
        }
    }
}

/// Template rules compiled per tag value: the same recipients come back message after
/// message, and a JIT compile costs more than the match. Bounded; emptied when full.
final class TemplateRegexCache: Sendable {
    static let capacity = 1024
    private let compiled = Locked<[PerlRegex: PCRERegex?]>([:])

    func regex(_ source: PerlRegex) -> PCRERegex? {
        if let hit = compiled.withLock({ $0[source] }) { return hit }
        let regex = try? PerlRegexTranslation.compile(source)
        compiled.withLock {
            if $0.count >= Self.capacity { $0.removeAll(keepingCapacity: true) }
            $0[source] = regex
        }
        return regex
    }
}
