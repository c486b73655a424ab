import PCRE

/// Hit counts of one scan, indexed like the compiled rules.
public struct RuleHits: Sendable {
    var counts: [Double]
}

extension CompiledRuleset {
    /// Runs every rule on `subject`: header and text rules, eval functions, then metas in
    /// dependency order. Pure CPU work on immutable data: safe to call from many threads.
    public func evaluate(_ subject: some RuleSubject) -> RuleHits {
        finish(evaluateLocal(subject), adding: [:])
    }

    /// The local phase of ``evaluate(_:)``: every rule except metas. Hits that come from
    /// elsewhere (network lookups, Bayes) are added by ``finish(_:adding:)``, which then
    /// runs the metas.
    public func evaluateLocal(_ subject: some RuleSubject) -> RuleHits {
        var counts = [Double](repeating: 0, count: rules.count)
        let scratch = PCREScratch()
        let tags = captures.isEmpty ? [:] : captureTags(subject, scratch: scratch)
        runHeaderTests(subject: subject, counts: &counts, scratch: scratch)
        runMimeHeaderTests(subject: subject, counts: &counts, scratch: scratch)
        run(body, over: subject.bodyParagraphs, counts: &counts, scratch: scratch)
        run(rawbody, over: subject.rawbodyLines, counts: &counts, scratch: scratch)
        run(uri, over: subject.uris, counts: &counts, scratch: scratch)
        run(full, over: [subject.full], counts: &counts, scratch: scratch)
        if !templates.isEmpty { runTemplates(subject, tags: tags, counts: &counts, scratch: scratch) }
        let message = subject as? SAMessage
        for test in evals {
            let n = test.function(EvalInput(subject: subject, message: message, arguments: test.call.arguments,
                                            ruleName: rules[test.rule].name, kind: rules[test.rule].kind))
            if n > 0 { counts[test.rule] = Double(rules[test.rule].multiple ? n : 1) }
        }
        return RuleHits(counts: counts)
    }

    /// Adds hits found outside the local phase (rule name → hit count; names of rules not
    /// in this ruleset are ignored), then runs the metas in dependency order.
    public func finish(_ local: RuleHits, adding extra: [String: Int]) -> RuleHits {
        var counts = local.counts
        for (name, n) in extra where n > 0 {
            guard let index = ruleIndex[name] else { continue }
            counts[index] = Double(rules[index].multiple ? n : 1)
        }
        counts.withUnsafeMutableBufferPointer { buffer in
            for meta in metas where meta.expression.evaluate(UnsafeBufferPointer(buffer)) != 0 {
                buffer[meta.rule] = 1
            }
        }
        return RuleHits(counts: counts)
    }

    /// The scored result: every non-sub-rule hit, each hit adding its score (SpamAssassin
    /// adds a `multiple` rule's score once per hit).
    public func verdict(_ hits: RuleHits) -> SpamVerdict {
        var list: [SpamVerdict.Hit] = []
        for (index, count) in hits.counts.enumerated() where count > 0 {
            let rule = rules[index]
            guard !rule.isSubRule else { continue }
            list.append(SpamVerdict.Hit(name: rule.name, score: rule.score * count, description: rule.describe))
        }
        return SpamVerdict(hits: list)
    }

    /// Names of every rule that hit, sub-rules included (for tests and comparison).
    public func hitNames(_ hits: RuleHits, includingSubRules: Bool = false) -> [String] {
        hits.counts.indices.filter { hits.counts[$0] > 0 && (includingSubRules || !rules[$0].isSubRule) }
            .map { rules[$0].name }
    }

    // MARK: header rules

    private func runHeaderTests(subject: some RuleSubject, counts: inout [Double], scratch: PCREScratch) {
        var candidates: [Bool] = []
        for group in headerGroups {
            let value = subject.header(group.selector)
            // A test the prefilter rules out cannot match the header text, so it is
            // decided without PCRE (a negated one hits). Absent headers match "" or the
            // test's if-unset text: no prefilter there.
            let filtered = value != nil && !group.prefilters.isEmpty
            if filtered {
                candidates = [Bool](repeating: false, count: group.tests.count)
                value!.withUnsafeBufferPointer { buffer in
                    for prefilter in group.prefilters { prefilter.scan(buffer, candidates: &candidates) }
                }
                for i in group.unfiltered { candidates[i] = true }
            }
            for (i, test) in group.tests.enumerated() {
                guard let regex = test.regex else {
                    if value != nil { counts[test.rule] = 1 }
                    continue
                }
                if filtered && !candidates[i] {
                    if test.negated { counts[test.rule] = 1 }
                    continue
                }
                // Perl matches undef as the empty string; `[if-unset: X]` supplies X instead.
                let text = value ?? test.ifUnset ?? []
                // Fields read in place: copying a Rule would retain its strings per test.
                if test.negated {
                    if !Self.matches(regex, text, scratch) { counts[test.rule] = 1 }
                } else if rules[test.rule].multiple {
                    let n = Self.countMatches(regex, text, limit: rules[test.rule].maxHits, scratch)
                    if n > 0 { counts[test.rule] = Double(n) }
                } else if Self.matches(regex, text, scratch) {
                    counts[test.rule] = 1
                }
            }
        }
    }

    private func runMimeHeaderTests(subject: some RuleSubject, counts: inout [Double], scratch: PCREScratch) {
        for test in mimeHeaderTests {
            guard let regex = test.regex else { continue }
            var values = subject.mimeHeaders(test.selector)
            if values.isEmpty, let unset = test.ifUnset { values = [unset] }
            let any = values.contains { Self.matches(regex, $0, scratch) }
            if any != test.negated { counts[test.rule] = 1 }
        }
    }

    // MARK: text rules

    private func run(_ tests: TextTests, over texts: [[UInt8]], counts: inout [Double], scratch: PCREScratch) {
        guard !tests.tests.isEmpty else { return }
        var candidates = [Bool](repeating: false, count: tests.tests.count)
        var finished = [Bool](repeating: false, count: tests.tests.count)
        var hitsSoFar = [Int](repeating: 0, count: tests.tests.count)
        for (position, text) in texts.enumerated() {
            text.withUnsafeBufferPointer { buffer in
                if !tests.prefilters.isEmpty {
                    for i in candidates.indices { candidates[i] = false }
                    for prefilter in tests.prefilters { prefilter.scan(buffer, candidates: &candidates) }
                    for i in tests.unfiltered { candidates[i] = true }
                } else {
                    for i in candidates.indices { candidates[i] = true }
                }
                for i in candidates.indices where candidates[i] && !finished[i] {
                    // Fields read in place, not the whole test (its source strings).
                    if position == 0 && tests.tests[i].skipsSubject { continue }
                    let regex = tests.tests[i].regex
                    let rule = tests.tests[i].rule
                    if rules[rule].multiple {
                        let maxHits = rules[rule].maxHits
                        let remaining = maxHits > 0 ? maxHits - hitsSoFar[i] : 0
                        let n = Self.countMatches(regex, buffer, limit: remaining, scratch)
                        hitsSoFar[i] += n
                        if maxHits > 0 && hitsSoFar[i] >= maxHits { finished[i] = true }
                    } else if regex.firstMatch(in: buffer, scratch: scratch) != nil {
                        hitsSoFar[i] = 1
                        finished[i] = true
                    }
                }
            }
        }
        for (i, n) in hitsSoFar.enumerated() where n > 0 {
            counts[tests.tests[i].rule] = Double(n)
        }
    }

    private static func matches(_ regex: PCRERegex, _ text: [UInt8], _ scratch: PCREScratch) -> Bool {
        text.withUnsafeBufferPointer { regex.firstMatch(in: $0, scratch: scratch) != nil }
    }

    private static func countMatches(_ regex: PCRERegex, _ text: [UInt8], limit: Int, _ scratch: PCREScratch) -> Int {
        text.withUnsafeBufferPointer { countMatches(regex, $0, limit: limit, scratch) }
    }

    /// Perl's `while (/re/g)`: successive non-overlapping matches; an empty match moves on
    /// by one byte so the loop ends.
    private static func countMatches(_ regex: PCRERegex, _ text: UnsafeBufferPointer<UInt8>, limit: Int,
                                     _ scratch: PCREScratch) -> Int {
        var count = 0
        var start = 0
        while start <= text.count, let match = regex.firstMatch(in: text, from: start, scratch: scratch) {
            count += 1
            if limit > 0 && count >= limit { break }
            start = match.isEmpty ? match.upperBound + 1 : match.upperBound
        }
        return count
    }
}
