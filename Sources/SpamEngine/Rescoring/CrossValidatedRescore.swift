/// `moat rules rescore`'s measurement: k-fold cross-validation of the rescorer, so every
/// figure it prints is on messages the scores were not fitted on, next to the figures of
/// the scores in use; then the fit on all messages, which is what gets written.
public struct CrossValidatedRescore: Sendable {
    public var rescorer: LogisticRescorer
    public var folds: Int
    public var seed: UInt64
    /// The thresholds figures are given at (required_score, tag2, kill), ascending.
    public var thresholds: [Double]

    public init(rescorer: LogisticRescorer, folds: Int = 5, seed: UInt64 = 1, thresholds: [Double]) {
        self.rescorer = rescorer
        self.folds = folds
        self.seed = seed
        self.thresholds = thresholds
    }

    /// Figures for one group (folder) at each threshold.
    public struct GroupRates: Sendable, Equatable {
        public var current: [DetectionRates]
        public var rescored: [DetectionRates]
    }

    public struct Outcome: Sendable {
        /// The scores fitted on every message.
        public var scores: [Double]
        /// Per group: the scores in use and the held-out rescored scores, at each threshold.
        public var groups: [Int: GroupRates]
    }

    public func run(_ samples: [RescoreSample], bounds: [ScoreBounds], current: [Double]) -> Outcome {
        let assignment = RescoreFolds.assign(samples, folds: folds, seed: seed)
        var heldOutScore = [Double](repeating: 0, count: samples.count)
        for fold in 0..<folds {
            let training = samples.indices.filter { assignment[$0] != fold }.map { samples[$0] }
            let scores = rescorer.fit(training, bounds: bounds, start: current)
            for index in samples.indices where assignment[index] == fold {
                heldOutScore[index] = samples[index].score(scores)
            }
        }
        var groups: [Int: GroupRates] = [:]
        for (index, sample) in samples.enumerated() {
            var rates = groups[sample.group]
                ?? GroupRates(current: Array(repeating: DetectionRates(), count: thresholds.count),
                              rescored: Array(repeating: DetectionRates(), count: thresholds.count))
            let now = sample.score(current)
            for (t, threshold) in thresholds.enumerated() {
                rates.current[t].add(isSpam: sample.isSpam, flagged: now >= threshold)
                rates.rescored[t].add(isSpam: sample.isSpam, flagged: heldOutScore[index] >= threshold)
            }
            groups[sample.group] = rates
        }
        return Outcome(scores: rescorer.fit(samples, bounds: bounds, start: current), groups: groups)
    }
}
