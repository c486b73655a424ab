import Foundation

/// Fits rule scores to labelled mail, as SpamAssassin's masses/perceptron does, built in:
/// a logistic model of "spam" on the message score, centred on the threshold,
///
///     P(spam | message) = σ((score − threshold) / scale),  score = Σ scores of rules hit,
///
/// fitted by minimising the weighted log-loss, where a ham scored as spam costs `fpCost`
/// times a missed spam, plus an L2 penalty that pulls each score towards zero (a rule
/// seen in few messages then keeps a small score). Scores stay within their `ScoreBounds`.
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
        public var maxSweeps: Int
        /// Stop when no score moved more than this in a sweep.
        public var tolerance: Double

        public init(threshold: Double = 5.0, fpCost: Double = 50, scale: Double = 1.0, l2: Double = 0.00001,
                    maxSweeps: Int = 300, tolerance: Double = 1e-4) {
            self.threshold = threshold
            self.fpCost = fpCost
            self.scale = scale
            self.l2 = l2
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
    public func fit(_ samples: [RescoreSample], bounds: [ScoreBounds], start: [Double]? = nil) -> [Double] {
        let ruleCount = bounds.count
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

    static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }
}
