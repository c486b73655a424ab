/// What the rule engine needs from a compiled ruleset to run the eval rules whose answers
/// come from outside the local phase (DNS lookups, Bayes).
extension CompiledRuleset {
    /// An active `eval:` rule and its call as written.
    struct ActiveEval: Sendable {
        var name: String
        var kind: RuleKind
        var call: EvalCall
        var score: Double
    }

    /// The active rules (non-zero score in this score set) calling one of `functions`, in
    /// rule order.
    func activeEvals(calling functions: Set<String>) -> [ActiveEval] {
        evals.filter { functions.contains($0.call.function) }.map {
            ActiveEval(name: rules[$0.rule].name, kind: rules[$0.rule].kind, call: $0.call, score: rules[$0.rule].score)
        }
    }

    /// The score a rule has in this ruleset's score set; nil when it is not active.
    func activeScore(of name: String) -> Double? {
        ruleIndex[name].map { rules[$0].score }
    }
}

extension EvalRegistry {
    /// Registers functions whose hits are supplied after the local phase
    /// (``CompiledRuleset/finish(_:adding:)``): in the local phase they never hit, and
    /// their rules are not reported as unimplemented.
    mutating func registerDeferred(_ names: some Sequence<String>) {
        for name in names { register(name) { _ in 0 } }
    }
}
