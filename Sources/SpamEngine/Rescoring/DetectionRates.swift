/// Spam recall and ham false-positive rate of a set of scored messages at a threshold.
public struct DetectionRates: Sendable, Equatable {
    public var spam = 0
    public var spamCaught = 0
    public var ham = 0
    public var hamFlagged = 0

    public init() {}

    public init(scores: [(score: Double, isSpam: Bool)], threshold: Double) {
        for (score, isSpam) in scores {
            add(isSpam: isSpam, flagged: score >= threshold)
        }
    }

    public mutating func add(isSpam: Bool, flagged: Bool) {
        if isSpam {
            spam += 1
            if flagged { spamCaught += 1 }
        } else {
            ham += 1
            if flagged { hamFlagged += 1 }
        }
    }

    /// Percent of spam at or over the threshold; nil without spam.
    public var recall: Double? { spam == 0 ? nil : 100 * Double(spamCaught) / Double(spam) }
    /// Percent of ham at or over the threshold; nil without ham.
    public var falsePositiveRate: Double? { ham == 0 ? nil : 100 * Double(hamFlagged) / Double(ham) }
}
