import Foundation

/// The `check_bayes('min', 'max')` rules of one compiled ruleset (23_bayes.cf's
/// BAYES_00…BAYES_999): a rule hits when `(min == 0 || p > min) && p <= max`.
struct BayesEvals: Sendable {
    static let functions: Set<String> = ["check_bayes"]

    struct Band: Sendable {
        var rule: String
        var min: Double
        var max: Double
    }

    let bands: [Band]

    init(ruleset: CompiledRuleset) {
        bands = ruleset.activeEvals(calling: Self.functions).compactMap { eval in
            let args = eval.call.arguments.map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard args.count == 2, let min = args[0], let max = args[1] else { return nil }
            return Band(rule: eval.name, min: min, max: max)
        }
    }

    /// The band rules hit by spam probability `p`.
    func hits(probability p: Double) -> [String: Int] {
        var out: [String: Int] = [:]
        for band in bands where (band.min == 0 || p > band.min) && p <= band.max { out[band.rule] = 1 }
        return out
    }
}

/// SpamAssassin's autolearn points (`PerMsgStatus::_get_autolearn_points`): every reported
/// hit counted with its score in the non-Bayes score set, except `noautolearn`/`userconf`
/// rules; `learn` rules (BAYES_xx) counted apart, with their score in the set used.
/// Header-only points leave out body rules, body-only points leave out header rules;
/// metas count for neither unless tflags `net`.
struct AutolearnPoints: Equatable {
    var score = 0.0
    var head = 0.0
    var body = 0.0
    var learned = 0.0
    var forced = false

    init(verdict: SpamVerdict, config: RuleConfiguration, network: Bool) {
        let set = ScoreSet(bayes: false, network: network)
        for hit in verdict.hits {
            guard let def = config.rules[hit.name] else { continue }
            if def.tflags.contains("autolearn_force") { forced = true }
            if def.tflags.contains("noautolearn") || def.tflags.contains("userconf") { continue }
            if def.tflags.contains("learn") {
                learned += hit.score
                continue
            }
            let score = CompiledRuleset.score(of: def, set: set)
            guard score != 0 else { continue }
            let net = def.tflags.contains("net")
            let maybeHeaderOnly = def.kind == .header || (def.kind == .meta && !net)
            let maybeBodyOnly = def.kind == .body || def.kind == .uri || (def.kind == .meta && !net)
            if !maybeHeaderOnly { body += score }
            if !maybeBodyOnly { head += score }
            self.score += score
        }
    }
}
