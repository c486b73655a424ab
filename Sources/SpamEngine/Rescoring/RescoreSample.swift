/// One labelled message as the rescorer sees it: which of the rescored rules it hit.
public struct RescoreSample: Sendable, Equatable {
    /// Positions in the rescorer's rule list, each at most once.
    public var rules: [Int]
    public var isSpam: Bool
    /// Points from rules that are not rescored (kept fixed, e.g. GTUBE or a welcomelist).
    public var fixedPoints: Double
    /// The folder the message came from, for per-folder figures (and stratified folds).
    public var group: Int
    /// How much this message counts in the fit (1; see `balancingGroups`).
    public var weight: Double

    public init(rules: [Int], isSpam: Bool, fixedPoints: Double = 0, group: Int = 0, weight: Double = 1) {
        self.rules = rules
        self.isSpam = isSpam
        self.fixedPoints = fixedPoints
        self.group = group
        self.weight = weight
    }

    /// The message's score under `scores`.
    public func score(_ scores: [Double]) -> Double {
        rules.reduce(fixedPoints) { $0 + scores[$1] }
    }
}

/// What a rescored rule's score may become: SpamAssassin's masses keeps each rule on the side
/// its author put it (a spam sign never turns into a ham sign) and within a ceiling, so no
/// single rule decides alone.
public struct ScoreBounds: Sendable, Equatable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) {
        precondition(lower <= upper)
        self.lower = lower
        self.upper = upper
    }

    /// Bounds for a rule whose score is `current`: [0, ceiling] for a spam sign,
    /// [-ceiling, 0] for a ham sign (`tflags nice` or a negative score).
    public static func keepingSign(of current: Double, nice: Bool = false, ceiling: Double) -> ScoreBounds {
        nice || current < 0 ? ScoreBounds(lower: -ceiling, upper: 0) : ScoreBounds(lower: 0, upper: ceiling)
    }

    func clamp(_ value: Double) -> Double { min(upper, max(lower, value)) }
}

extension Array where Element == RescoreSample {
    /// The samples weighted so that every folder of ham counts as much as every other, and
    /// every folder of spam too, whatever their sizes: 125 newsletters then weigh as much as
    /// 2,500 personal messages, and a score that flags newsletters costs what it should.
    /// The total weight of each label is kept.
    public func balancingGroups() -> [RescoreSample] {
        var counts: [Int: Int] = [:]
        for sample in self { counts[sample.group, default: 0] += 1 }
        var groupsPerLabel: [Bool: Set<Int>] = [:]
        var totalPerLabel: [Bool: Int] = [:]
        for sample in self {
            groupsPerLabel[sample.isSpam, default: []].insert(sample.group)
            totalPerLabel[sample.isSpam, default: 0] += 1
        }
        return map { sample in
            var weighted = sample
            let share = Double(totalPerLabel[sample.isSpam]!) / Double(groupsPerLabel[sample.isSpam]!.count)
            weighted.weight = sample.weight * share / Double(counts[sample.group]!)
            return weighted
        }
    }
}
