import Foundation

/// The result of a Bayes scan: the chi-squared combined probability that the message is
/// spam, with what it was based on.
public struct BayesResult: Sendable {
    public var probability: Double
    /// Tokens of the message found in the database / in the message.
    public var tokensFound: Int
    public var tokensInMessage: Int
    /// The significant tokens used in the combination: id and f(w), strongest first.
    public var significant: [(id: BayesTokenID, probability: Double)]
    public var nspam: Int
    public var nham: Int
    /// The BAYES_xx pseudo-rules that hit (BAYES_99 and BAYES_999 both hit above 0.999).
    public var rules: [String] { BayesClassifier.bandRules(for: probability) }
}

/// SpamAssassin 4.0.1's Bayes scan (`Plugin/Bayes.pm` `scan`, `_compute_prob_for_all_tokens`,
/// `Bayes/CombineChi.pm`): Robinson's f(w) for every known token, the 150 strongest with
/// |f(w) − 0.5| ≥ 0.346, Fisher/chi-squared combining. No answer until the database has
/// `minSpam` spam and `minHam` ham messages (`bayes_min_spam_num`/`bayes_min_ham_num`).
public struct BayesClassifier: Sendable {
    /// `$FW_X_CONSTANT`: the assumed probability of a token never seen before.
    public static let robinsonX = 0.538
    /// `$FW_S_CONSTANT`: the strength given to that assumption (0.030 in 4.0.1).
    public static let robinsonS = 0.030
    /// `$MIN_PROB_STRENGTH`
    public static let minProbStrength = 0.346
    /// `N_SIGNIFICANT_TOKENS`
    public static let significantTokens = 150

    public var minSpam: Int
    public var minHam: Int

    public init(minSpam: Int = 200, minHam: Int = 200) {
        self.minSpam = minSpam
        self.minHam = minHam
    }

    /// Robinson's f(w) for a token seen in `s` spam and `n` ham messages, the database
    /// holding `nspam`/`nham` messages; nil when the token is unknown.
    public static func tokenProbability(spam s: Int, ham n: Int, nspam: Int, nham: Int) -> Double? {
        guard nspam > 0, nham > 0, s + n >= 1 else { return nil }
        let ds = Double(s), dn = Double(n)
        let prob = (ds * Double(nham)) / (dn * Double(nspam) + ds * Double(nham))
        let robn = ds + dn
        return (robinsonS * robinsonX + robn * prob) / (robinsonS + robn)
    }

    /// `Bayes::Combine::combine`: chi-squared combining of token probabilities.
    public static func combine(nspam: Int, nham: Int, probabilities: [Double]) -> Double? {
        let wc = probabilities.count
        guard wc > 0, nspam + nham > 0 else { return nil }
        let total = Double(nspam + nham)
        var s = Double(nspam) / total, h = Double(nham) / total
        var sExp = 0, hExp = 0
        for p in probabilities {
            s *= 1.0 - p
            h *= p
            if s < 1e-200 { let f = frexp(s); s = f.0; sExp += f.1 }
            if h < 1e-200 { let f = frexp(h); h = f.0; hExp += f.1 }
        }
        let ln2 = M_LN2
        let ls = log(s) + Double(sExp) * ln2
        let lh = log(h) + Double(hExp) * ln2
        let sv = 1.0 - chi2q(-2.0 * ls, halfV: wc)
        let hv = 1.0 - chi2q(-2.0 * lh, halfV: wc)
        return ((sv - hv) + 1.0) / 2.0
    }

    /// `chi2q` with the half-degrees-of-freedom API of CombineChi.pm.
    public static func chi2q(_ x2: Double, halfV: Int) -> Double {
        let m = x2 / 2.0
        var term = exp(-m), sum = term
        var i = 1
        while i < halfV {
            term *= m / Double(i)
            sum += term
            i += 1
        }
        return min(sum, 1.0)
    }

    /// Scores tokens against counts already fetched from the store. Nil when the database
    /// is too small, no token is known, or no token is significant (SpamAssassin's "skip").
    public func classify(tokens ids: [BayesTokenID], counts: [BayesTokenID: BayesTokenCounts],
                         nspam: Int, nham: Int) -> BayesResult? {
        guard nspam >= minSpam, nham >= minHam, nspam > 0, nham > 0 else { return nil }
        var scored: [(id: BayesTokenID, probability: Double, strength: Double)] = []
        scored.reserveCapacity(counts.count)
        for id in ids {
            guard let c = counts[id],
                  let p = Self.tokenProbability(spam: c.spam, ham: c.ham, nspam: nspam, nham: nham) else { continue }
            scored.append((id, p, abs(p - 0.5)))
        }
        guard !scored.isEmpty else { return nil }
        let found = scored.count
        scored.sort { $0.strength != $1.strength ? $0.strength > $1.strength : $0.id < $1.id }
        if scored.count > Self.significantTokens { scored.removeLast(scored.count - Self.significantTokens) }
        let significant = scored.filter { $0.strength >= Self.minProbStrength }
        guard !significant.isEmpty,
              let p = Self.combine(nspam: nspam, nham: nham, probabilities: significant.map(\.probability))
        else { return nil }
        return BayesResult(probability: p, tokensFound: found, tokensInMessage: ids.count,
                           significant: significant.map { ($0.id, $0.probability) }, nspam: nspam, nham: nham)
    }

    // MARK: BAYES_xx pseudo-rules

    /// The probability bands of SpamAssassin's `23_bayes.cf` (`check_bayes(min, max)` hits
    /// when `(min == 0 || p > min) && p <= max`).
    public static let bands: [(rule: String, min: Double, max: Double)] = [
        ("BAYES_00", 0.00, 0.01), ("BAYES_05", 0.01, 0.05), ("BAYES_20", 0.05, 0.20),
        ("BAYES_40", 0.20, 0.40), ("BAYES_50", 0.40, 0.60), ("BAYES_60", 0.60, 0.80),
        ("BAYES_80", 0.80, 0.95), ("BAYES_95", 0.95, 0.99), ("BAYES_99", 0.99, 1.00),
        ("BAYES_999", 0.999, 1.00),
    ]

    /// Every BAYES_xx rule that hits for `p` (BAYES_99 and BAYES_999 together above 0.999).
    public static func bandRules(for p: Double) -> [String] {
        bands.filter { ($0.min == 0 || p > $0.min) && p <= $0.max }.map(\.rule)
    }

    /// The one band of the BAYES_00…BAYES_99 partition that `p` falls in (BAYES_999 is the
    /// extra rule reported by ``bandRules(for:)``).
    public static func bandRule(for p: Double) -> String {
        bandRules(for: p).first ?? (p <= 0 ? "BAYES_00" : "BAYES_99")
    }
}

/// Autolearn as SpamAssassin's `Plugin::AutoLearnThreshold` decides it:
/// - ham when the autolearn score (the total without BAYES_xx and whitelist/`noautolearn`
///   rules) is below `thresholdHam` (0.1), unless Bayes itself said spam (> +1 point) or the
///   message was classified spam;
/// - spam when that score is at least `thresholdSpam` (12.0), and header-only and
///   body-only points are each at least 3 (not required for an `autolearn_force` rule hit),
///   unless Bayes said ham (< −1 point) or the message was not classified spam;
/// - otherwise no learning.
public struct BayesAutolearn: Sendable {
    public enum Decision: Sendable, Equatable { case spam, ham, no(String) }

    public var thresholdHam: Double
    public var thresholdSpam: Double

    public init(thresholdHam: Double = 0.1, thresholdSpam: Double = 12.0) {
        self.thresholdHam = thresholdHam
        self.thresholdSpam = thresholdSpam
    }

    /// - Parameters:
    ///   - score: autolearn points (the score without learner and `noautolearn` rules).
    ///   - headPoints, bodyPoints: points from header rules / body rules only.
    ///   - learnedPoints: the points the BAYES_xx rule contributed.
    ///   - isSpam: the message's verdict (score ≥ required_score).
    ///   - forced: a rule with `tflags autolearn_force` hit.
    public func decide(score: Double, headPoints: Double, bodyPoints: Double, learnedPoints: Double = 0,
                       isSpam: Bool, forced: Bool = false) -> Decision {
        if score < thresholdHam {
            if learnedPoints > 1.0 { return .no("scored as ham but learner indicated spam") }
            if isSpam { return .no("scored as spam but autolearn wanted ham") }
            return .ham
        }
        guard score >= thresholdSpam else { return .no("inside auto-learn thresholds") }
        let required = forced ? -99.0 : 3.0
        if bodyPoints < required { return .no("scored as spam but too few body points") }
        if headPoints < required { return .no("scored as spam but too few head points") }
        if learnedPoints < -1.0 { return .no("scored as spam but learner indicated ham") }
        if !isSpam { return .no("scored as ham but autolearn wanted spam") }
        return .spam
    }
}
