import PCRE

/// Which of SpamAssassin's four score sets applies: Bayes on/off × network tests on/off.
public struct ScoreSet: Sendable, Equatable {
    public var bayes: Bool
    public var network: Bool

    public init(bayes: Bool, network: Bool) {
        self.bayes = bayes
        self.network = network
    }

    var index: Int { (bayes ? 2 : 0) + (network ? 1 : 0) }
}

/// One immutable, compiled rule set shared by every scan: regexes compiled (PCRE2 JIT),
/// Hyperscan prefilters built per text kind, metas ordered by dependency, scores chosen
/// for the score set. Rules with a zero score are not run, as in SpamAssassin.
public final class CompiledRuleset: Sendable {
    struct Rule: Sendable {
        var name: String
        var kind: RuleKind
        var score: Double
        var describe: String
        var multiple: Bool
        var maxHits: Int
        var isSubRule: Bool
    }

    struct RegexTest: Sendable {
        var rule: Int
        var regex: PCRERegex
        var source: PerlRegex
        /// `tflags nosubject`: skip the Subject line that leads the body text.
        var skipsSubject: Bool
    }

    struct HeaderTest: Sendable {
        var rule: Int
        var selector: HeaderSelector
        var regex: PCRERegex?
        /// The pattern as written, for the prefilter (nil for `exists:` tests).
        var source: PerlRegex?
        var negated: Bool
        var ifUnset: [UInt8]?
    }

    /// Regex rules over one kind of text, with the prefilters that narrow them.
    struct TextTests: Sendable {
        var tests: [RegexTest] = []
        /// Each marks candidates in one shared array: the exact patterns, then the costly
        /// ones loosened (compiled apart so they do not slow the main compile).
        var prefilters: [HyperscanPrefilter] = []
        /// Positions in `tests` the prefilter does not cover: always run.
        var unfiltered: [Int] = []
    }

    struct EvalTest: Sendable {
        var rule: Int
        var call: EvalCall
        var function: EvalFunction
    }

    let rules: [Rule]
    let ruleIndex: [String: Int]
    /// Header tests grouped by selector: each header text is fetched once and, for the
    /// selectors many rules read, scanned once by a prefilter of their own.
    let headerGroups: [TextTests.HeaderGroup]
    let mimeHeaderTests: [HeaderTest]
    let body: TextTests
    let rawbody: TextTests
    let uri: TextTests
    let full: TextTests
    let evals: [EvalTest]
    let metas: [(rule: Int, expression: MetaExpression)]
    /// Rules that set tags from named captures, and rules completed from those tags.
    let captures: [CaptureRules.Capture]
    let templates: [CaptureRules.Template]
    let templateRegexes = TemplateRegexCache()

    /// `required_score` of the rule files.
    public let requiredScore: Double
    /// Rules that cannot run: an `eval:` function Moat does not implement, or a pattern
    /// PCRE2 refuses (reported by lint).
    public let unimplemented: [String]
    /// Lint findings from reading and compiling.
    public let diagnostics: [LintMessage]
    /// The trust boundary of the rule files' networks, for building each message's view.
    public let trust: RelayTrust

    /// Counts of rules that will run, by kind (for lint and the bench report).
    public var activeCounts: [RuleKind: Int] {
        var counts: [RuleKind: Int] = [:]
        for rule in rules { counts[rule.kind, default: 0] += 1 }
        return counts
    }

    /// - Parameter cacheDirectory: where compiled prefilter databases are kept between runs.
    public init(_ config: RuleConfiguration, evals registry: EvalRegistry, scoreSet: ScoreSet,
                usePrefilter: Bool = true, cacheDirectory: String? = nil) {
        var diagnostics = config.diagnostics
        trust = RelayTrust(config)
        var rules: [Rule] = []
        var ruleIndex: [String: Int] = [:]
        var headerTests: [HeaderTest] = []
        var mimeHeaderTests: [HeaderTest] = []
        var text: [RuleKind: [RegexTest]] = [:]
        var evals: [EvalTest] = []
        var captures: [CaptureRules.Capture] = []
        var templates: [CaptureRules.Template] = []
        var metaSources: [(rule: Int, text: String, location: SourceLocation)] = []
        var unimplemented: [String] = []

        for name in config.order {
            guard let def = config.rules[name] else { continue }
            let score = Self.score(of: def, set: scoreSet)
            guard score != 0 else { continue }
            let maxHits = def.tflags.compactMap { $0.hasPrefix("maxhits=") ? Int($0.dropFirst(8)) : nil }.first ?? 0
            let rule = Rule(name: name, kind: def.kind, score: score, describe: def.describe ?? "",
                            multiple: def.tflags.contains("multiple"), maxHits: maxHits, isSubRule: def.isSubRule)
            func compile(_ regex: PerlRegex) -> PCRERegex? {
                // The loader has compiled and reported every pattern already; a failure
                // here only means the rule cannot run.
                guard let compiled = try? PerlRegexTranslation.compile(regex) else {
                    unimplemented.append(name)
                    return nil
                }
                return compiled
            }
            let index = rules.count
            // A capture template is filled in per message: the rule is not run as written.
            func template(_ target: CaptureRules.Target, _ regex: PerlRegex, negated: Bool = false, ifUnset: String? = nil) -> Bool {
                let names = CaptureRules.templateNames(regex.pattern)
                guard !names.isEmpty else { return false }
                templates.append(CaptureRules.Template(rule: index, target: target, source: regex, names: names, negated: negated,
                                                       ifUnset: ifUnset.map { Array($0.utf8) },
                                                       skipsSubject: def.tflags.contains("nosubject")))
                return true
            }
            func capture(_ target: CaptureRules.Target, _ regex: PerlRegex, _ compiled: PCRERegex) {
                guard RegexLiteral.hasNamedCapture(regex.pattern) else { return }
                let groups = CaptureRules.tagGroups(regex.pattern)
                guard !groups.isEmpty else { return }
                captures.append(CaptureRules.Capture(rule: index, target: target, regex: compiled, groups: groups,
                                                     multiple: rule.multiple, maxHits: rule.maxHits))
            }
            switch def.test {
            case .header(let selector, let regex, let negated, let ifUnset)
                where template(.header(selector), regex, negated: negated, ifUnset: ifUnset):
                break
            case .regex(let regex) where template(.text(def.kind), regex):
                break
            case .header(let selector, let regex, let negated, let ifUnset):
                guard let compiled = compile(regex) else { continue }
                if !negated { capture(.header(selector), regex, compiled) }
                headerTests.append(HeaderTest(rule: index, selector: selector, regex: compiled, source: regex,
                                              negated: negated, ifUnset: ifUnset.map { Array($0.utf8) }))
            case .headerExists(let header):
                headerTests.append(HeaderTest(rule: index, selector: HeaderSelector(name: header), regex: nil,
                                              source: nil, negated: false, ifUnset: nil))
            case .mimeHeader(let selector, let regex, let negated, let ifUnset):
                guard let compiled = compile(regex) else { continue }
                mimeHeaderTests.append(HeaderTest(rule: index, selector: selector, regex: compiled, source: regex,
                                                  negated: negated, ifUnset: ifUnset.map { Array($0.utf8) }))
            case .regex(let regex):
                guard let compiled = compile(regex) else { continue }
                capture(.text(def.kind), regex, compiled)
                text[def.kind, default: []].append(RegexTest(rule: index, regex: compiled, source: regex,
                                                             skipsSubject: def.tflags.contains("nosubject")))
            case .eval(let call):
                guard let function = registry[call.function] else {
                    unimplemented.append(name)
                    continue
                }
                evals.append(EvalTest(rule: index, call: call, function: function))
            case .meta(let expression):
                metaSources.append((index, expression, def.location))
            }
            ruleIndex[name] = index
            rules.append(rule)
        }

        // Metas: parse against the final index, then order so dependencies come first.
        var parsed: [Int: MetaExpression] = [:]
        for source in metaSources {
            do {
                var parser = try MetaParser(source.text) { ruleIndex[$0] }
                parsed[source.rule] = try parser.parse()
            } catch {
                diagnostics.append(LintMessage(.error, source.location, "\(rules[source.rule].name): invalid meta expression: \(error.message)"))
            }
        }
        let metas = Self.dependencyOrder(parsed, rules: rules, diagnostics: &diagnostics)

        func tests(_ kind: RuleKind) -> TextTests {
            var result = TextTests()
            result.tests = text[kind] ?? []
            guard usePrefilter, !result.tests.isEmpty else {
                result.unfiltered = Array(result.tests.indices)
                return result
            }
            (result.prefilters, result.unfiltered) = Self.prefilters(for: result.tests.map(\.source),
                                                                     cacheDirectory: cacheDirectory)
            return result
        }

        self.rules = rules
        self.ruleIndex = ruleIndex
        self.headerGroups = Self.headerGroups(headerTests, usePrefilter: usePrefilter, cacheDirectory: cacheDirectory)
        self.mimeHeaderTests = mimeHeaderTests
        self.body = tests(.body)
        self.rawbody = tests(.rawbody)
        self.uri = tests(.uri)
        self.full = tests(.full)
        self.evals = evals
        self.metas = metas
        self.captures = captures
        self.templates = templates
        self.requiredScore = config.requiredScore
        self.unimplemented = unimplemented.sorted()
        self.diagnostics = diagnostics
    }

    /// SpamAssassin's default scores: 1.0, 0.01 for `T_` rules, negated for `nice`.
    /// A rule's score in `set`, as SpamAssassin reads `score` lines: four values are per
    /// set, one value is every set's, none is 1 (0.01 for `T_` rules, negative if `nice`).
    public static func score(of rule: RuleDefinition, set: ScoreSet) -> Double {
        if let scores = rule.scores {
            if scores.count >= 4 { return scores[set.index] }
            return scores.first ?? 0
        }
        let base = rule.name.hasPrefix("T_") ? 0.01 : 1.0
        return rule.tflags.contains("nice") ? -base : base
    }

    /// Topological order of metas; a cycle is a lint error and its members are dropped.
    private static func dependencyOrder(_ parsed: [Int: MetaExpression], rules: [Rule],
                                        diagnostics: inout [LintMessage]) -> [(rule: Int, expression: MetaExpression)] {
        var order: [(rule: Int, expression: MetaExpression)] = []
        var state: [Int: Int] = [:] // 1 visiting, 2 done
        func visit(_ rule: Int) -> Bool {
            if state[rule] == 2 { return true }
            if state[rule] == 1 { return false }
            state[rule] = 1
            guard let expression = parsed[rule] else { state[rule] = 2; return true }
            for dep in expression.dependencies where parsed[dep] != nil {
                if !visit(dep) {
                    state[rule] = 2
                    return false
                }
            }
            state[rule] = 2
            order.append((rule, expression))
            return true
        }
        for rule in parsed.keys.sorted() where !visit(rule) {
            diagnostics.append(LintMessage(.error, SourceLocation(file: "-", line: 0),
                                           "\(rules[rule].name): meta rule depends on itself"))
        }
        return order
    }
}

extension CompiledRuleset {
    /// Fewest tests on one header selector for a prefilter of its own to pay off.
    static let headerPrefilterMinimum = 12

    /// Prefilters over `sources` (candidate index = position): the exact patterns in one
    /// database, the costly ones loosened in another; plus the positions neither covers.
    static func prefilters(for sources: [PerlRegex?], cacheDirectory: String?) -> ([HyperscanPrefilter], [Int]) {
        let patterns = sources.map { $0.map(PerlRegexTranslation.hyperscanFlags) }
        let withPattern = patterns.indices.filter { patterns[$0] != nil }
        let costly = withPattern.filter { HyperscanPrefilter.isCostly(patterns[$0]!.pattern) }
        let costlySet = Set(costly)
        let exact = withPattern.filter { !costlySet.contains($0) }
        var covered = [Bool](repeating: false, count: patterns.count)
        var prefilters: [HyperscanPrefilter] = []
        for (positions, loosen) in [(exact, false), (costly, true)] where !positions.isEmpty {
            let chosen = positions.map { position -> (pattern: String, flags: UInt32) in
                let p = patterns[position]!
                return loosen ? (PrefilterRelaxation.relax(p.pattern), p.flags) : p
            }
            guard let prefilter = HyperscanPrefilter(patterns: chosen, ids: positions, admitCostly: loosen,
                                                     cacheDirectory: cacheDirectory) else { continue }
            for (k, position) in positions.enumerated() where prefilter.accepted[k] { covered[position] = true }
            prefilters.append(prefilter)
        }
        return (prefilters, patterns.indices.filter { !covered[$0] })
    }

    /// Groups header tests by selector, in first-use order; a group with enough regex tests
    /// gets a prefilter (an `exists:` test or one Hyperscan cannot take stays unfiltered).
    static func headerGroups(_ tests: [HeaderTest], usePrefilter: Bool, cacheDirectory: String?) -> [TextTests.HeaderGroup] {
        var order: [HeaderSelector] = []
        var bySelector: [HeaderSelector: [HeaderTest]] = [:]
        for test in tests {
            if bySelector[test.selector] == nil { order.append(test.selector) }
            bySelector[test.selector, default: []].append(test)
        }
        return order.map { selector in
            var group = TextTests.HeaderGroup(selector: selector, tests: bySelector[selector]!)
            let regexCount = group.tests.filter { $0.source != nil }.count
            if usePrefilter, regexCount >= headerPrefilterMinimum {
                (group.prefilters, group.unfiltered) = prefilters(for: group.tests.map(\.source), cacheDirectory: cacheDirectory)
            } else {
                group.unfiltered = Array(group.tests.indices)
            }
            return group
        }
    }
}

extension CompiledRuleset.TextTests {
    /// Every header test on one selector, with the prefilters over its regexes.
    struct HeaderGroup: Sendable {
        var selector: HeaderSelector
        var tests: [CompiledRuleset.HeaderTest]
        var prefilters: [HyperscanPrefilter] = []
        /// Positions in `tests` the prefilters do not cover: always run.
        var unfiltered: [Int] = []
    }
}
