import Foundation

/// Fits rule scores to labelled mail, as SpamAssassin's masses/perceptron does, built in:
/// a logistic model of "spam" on the message score, centred on the threshold,
///
///     P(spam | message) = σ((score − threshold) / scale),  score = Σ scores of rules hit,
///
/// fitted by minimising the weighted log-loss, where a ham scored as spam costs `fpCost`
/// times a missed spam, plus an L2 penalty that pulls each score towards zero (a rule
/// seen in few messages then keeps a small score). Scores stay within their `ScoreBounds`,
/// narrowed for rules that few messages back (see `Settings.fullScoreHits`).
///
/// Cyclic coordinate descent with a Newton step per score: messages hit a few dozen of
/// thousands of rules, so each step touches only the messages that hit the rule. Sums run
/// in a fixed order: the same input gives the same scores, bit for bit.
public struct LogisticRescorer: Sendable {
    public struct Settings: Sendable, Equatable {
        /// The score at which a message is spam (`required_score`).
        public var threshold: Double
        /// How many missed spam one false positive is worth.
        public var fpCost: Double
        /// Points over which the model goes from 27% to 73% sure: the softness of the margin.
        public var scale: Double
        /// Weight of Σ score² in the loss, per message (so it means the same for any corpus size).
        public var l2: Double
        /// How many training messages on a rule's side (spam for a spam sign, ham for a ham
        /// sign) it takes for the rule to reach its full bound: hit by `n` of them, it may go
        /// `n / fullScoreHits` of the way. A rule that a handful of spam hit separates them
        /// perfectly, so the fit alone would push it to the ceiling, and held-out newsletters
        /// that share it pay for that; SpamAssassin's masses narrows the score ranges of rarely
        /// hit rules for the same reason. 0 leaves the bounds as given.
        public var fullScoreHits: Int
        public var maxSweeps: Int
        /// Stop when no score moved more than this in a sweep.
        public var tolerance: Double

        public init(threshold: Double = 5.0, fpCost: Double = 50, scale: Double = 1.0, l2: Double = 0.00001,
                    fullScoreHits: Int = 10, maxSweeps: Int = 300, tolerance: Double = 1e-4) {
            self.threshold = threshold
            self.fpCost = fpCost
            self.scale = scale
            self.l2 = l2
            self.fullScoreHits = fullScoreHits
            self.maxSweeps = maxSweeps
            self.tolerance = tolerance
        }
    }

    public var settings: Settings

    public init(_ settings: Settings = Settings()) {
        self.settings = settings
    }

    /// The fitted scores, one per rule (`bounds.count` rules).
    /// - Parameter start: scores to start from (e.g. the current ones); clamped to the bounds.
    public func fit(_ samples: [RescoreSample], bounds given: [ScoreBounds], start: [Double]? = nil) -> [Double] {
        let ruleCount = given.count
        let bounds = narrowed(given, by: samples)
        var scores = (start ?? [Double](repeating: 0, count: ruleCount)).enumerated().map { bounds[$0.offset].clamp($0.element) }
        // Which messages hit each rule, and every message's current score.
        var hitBy = [[Int32]](repeating: [], count: ruleCount)
        for (index, sample) in samples.enumerated() {
            for rule in sample.rules { hitBy[rule].append(Int32(index)) }
        }
        var margin = samples.map { $0.score(scores) - settings.threshold }
        let weight = samples.map { $0.weight * ($0.isSpam ? 1.0 : settings.fpCost) }
        let label = samples.map { $0.isSpam ? 1.0 : 0.0 }
        let penalty = settings.l2 * Double(samples.count)
        let inverseScale = 1 / settings.scale

        for _ in 0..<settings.maxSweeps {
            var largestMove = 0.0
            for rule in 0..<ruleCount where !hitBy[rule].isEmpty && bounds[rule].lower < bounds[rule].upper {
                var gradient = 2 * penalty * scores[rule]
                var curvature = 2 * penalty
                for m in hitBy[rule] {
                    let i = Int(m)
                    let p = Self.sigmoid(margin[i] * inverseScale)
                    gradient += weight[i] * (p - label[i]) * inverseScale
                    curvature += weight[i] * p * (1 - p) * inverseScale * inverseScale
                }
                guard curvature > 0 else { continue }
                let next = bounds[rule].clamp(scores[rule] - gradient / max(curvature, 1e-9))
                let move = next - scores[rule]
                guard move != 0 else { continue }
                for m in hitBy[rule] { margin[Int(m)] += move }
                scores[rule] = next
                largestMove = max(largestMove, abs(move))
            }
            if largestMove < settings.tolerance { break }
        }
        return scores
    }

    /// `bounds` narrowed by the evidence in `samples` (`Settings.fullScoreHits`).
    func narrowed(_ bounds: [ScoreBounds], by samples: [RescoreSample]) -> [ScoreBounds] {
        guard settings.fullScoreHits > 0 else { return bounds }
        var spamHits = [Int](repeating: 0, count: bounds.count), hamHits = spamHits
        for sample in samples {
            for rule in sample.rules {
                if sample.isSpam { spamHits[rule] += 1 } else { hamHits[rule] += 1 }
            }
        }
        let full = Double(settings.fullScoreHits)
        return bounds.indices.map { rule in
            let bound = bounds[rule]
            let spamShare = min(1, Double(spamHits[rule]) / full), hamShare = min(1, Double(hamHits[rule]) / full)
            // Only the side away from zero narrows: a fixed score, or a bound that does not
            // include zero, is the rule author's and stays.
            guard bound.lower <= 0, bound.upper >= 0 else { return bound }
            return ScoreBounds(lower: bound.lower * hamShare, upper: bound.upper * spamShare)
        }
    }

    static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }
}
