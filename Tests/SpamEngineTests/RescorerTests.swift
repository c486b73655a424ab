import MoatCore
import XCTest
@testable import SpamEngine

/// The rescorer on synthetic mail whose true scores are known: messages are drawn from the
/// very model it fits, so with a neutral cost and no penalty it must find those scores.
final class RescorerTests: XCTestCase {
    private let trueScores = [3.0, 2.5, 2.0, 1.5, 1.0, 0.5, -1.0, -2.0, 4.0, 0.8]
    private let threshold = 3.5

    private func synthetic(count: Int, seed: UInt64) -> [RescoreSample] {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
        return (0..<count).map { i in
            let rules = trueScores.indices.filter { _ in uniform() < 0.3 }
            let score = rules.reduce(0) { $0 + trueScores[$1] }
            let isSpam = uniform() < LogisticRescorer.sigmoid(score - threshold)
            return RescoreSample(rules: rules, isSpam: isSpam, group: i % 2)
        }
    }

    private var wide: [ScoreBounds] { Array(repeating: ScoreBounds(lower: -10, upper: 10), count: trueScores.count) }

    func testRecoversTheScoresOfTheModelThatMadeTheData() {
        let samples = synthetic(count: 60_000, seed: 7)
        let rescorer = LogisticRescorer(.init(threshold: threshold, fpCost: 1, l2: 0))
        let fitted = rescorer.fit(samples, bounds: wide)
        for (rule, (found, truth)) in zip(fitted, trueScores).enumerated() {
            XCTAssertEqual(found, truth, accuracy: 0.15, "rule \(rule)")
        }
    }

    func testSameInputSameScoresBitForBit() {
        let samples = synthetic(count: 5_000, seed: 3)
        let rescorer = LogisticRescorer(.init(threshold: threshold, fpCost: 50))
        XCTAssertEqual(rescorer.fit(samples, bounds: wide), rescorer.fit(samples, bounds: wide))
        XCTAssertEqual(RescoreFolds.assign(samples, folds: 5, seed: 1), RescoreFolds.assign(samples, folds: 5, seed: 1))
        XCTAssertNotEqual(RescoreFolds.assign(samples, folds: 5, seed: 1), RescoreFolds.assign(samples, folds: 5, seed: 2))
    }

    /// A false positive that costs more buys fewer false positives, paid for in recall.
    func testAHigherFalsePositiveCostFlagsLessHam() {
        let samples = synthetic(count: 20_000, seed: 11)
        func rates(fpCost: Double) -> DetectionRates {
            let scores = LogisticRescorer(.init(threshold: threshold, fpCost: fpCost)).fit(samples, bounds: wide)
            return DetectionRates(scores: samples.map { ($0.score(scores), $0.isSpam) }, threshold: threshold)
        }
        let neutral = rates(fpCost: 1), careful = rates(fpCost: 50)
        XCTAssertLessThan(careful.hamFlagged, neutral.hamFlagged / 4)
        XCTAssertLessThan(careful.spamCaught, neutral.spamCaught)
    }

    /// A spam-sign rule that only ham hits goes to zero, never below; a fixed rule stays.
    func testBoundsAreKept() {
        var samples = synthetic(count: 5_000, seed: 5)
        samples += (0..<500).map { _ in RescoreSample(rules: [10], isSpam: false) }
        samples += (0..<50).map { _ in RescoreSample(rules: [11], isSpam: true, fixedPoints: 0) }
        let bounds = wide + [ScoreBounds.keepingSign(of: 1.2, ceiling: 4), ScoreBounds(lower: 0.5, upper: 0.5)]
        let fitted = LogisticRescorer(.init(threshold: threshold)).fit(samples, bounds: bounds,
                                                                       start: Array(trueScores) + [1.2, 0.5])
        XCTAssertEqual(fitted[10], 0)
        XCTAssertEqual(fitted[11], 0.5)
        XCTAssertEqual(ScoreBounds.keepingSign(of: -0.5, ceiling: 4), ScoreBounds(lower: -4, upper: 0))
        XCTAssertEqual(ScoreBounds.keepingSign(of: 2, nice: true, ceiling: 4), ScoreBounds(lower: -4, upper: 0))
    }

    /// A rule that only a few spam hit separates them perfectly; its score may only go as
    /// far as those few messages back it, while a rule many spam hit reaches the ceiling.
    func testRarelyHitRulesGetNarrowerBounds() {
        var samples = (0..<400).map { _ in RescoreSample(rules: [], isSpam: false, group: 0) }
        samples += (0..<3).map { _ in RescoreSample(rules: [0], isSpam: true, group: 1) }
        samples += (0..<40).map { _ in RescoreSample(rules: [1], isSpam: true, group: 1) }
        samples += (0..<2).map { _ in RescoreSample(rules: [2], isSpam: false, group: 0) }
        let bounds = [ScoreBounds(lower: 0, upper: 4), ScoreBounds(lower: 0, upper: 4), ScoreBounds(lower: -4, upper: 0)]
        let rescorer = LogisticRescorer(.init(threshold: threshold, fullScoreHits: 10))
        let fitted = rescorer.fit(samples, bounds: bounds)
        XCTAssertEqual(fitted[0], 4 * 3 / 10, accuracy: 1e-9)
        XCTAssertEqual(fitted[1], 4, accuracy: 1e-9)
        XCTAssertGreaterThanOrEqual(fitted[2], -4 * 2 / 10)
        XCTAssertEqual(rescorer.narrowed(bounds, by: samples)[2], ScoreBounds(lower: -0.8, upper: 0))
        let unlimited = LogisticRescorer(.init(threshold: threshold, fullScoreHits: 0)).fit(samples, bounds: bounds)
        XCTAssertEqual(unlimited[0], 4, accuracy: 1e-9)
    }

    /// Every fold holds its share of each folder's ham and spam.
    func testFoldsAreStratifiedByFolderAndLabel() {
        let samples = (0..<1000).map { RescoreSample(rules: [], isSpam: $0 % 5 == 0, group: $0 % 2) }
        let folds = RescoreFolds.assign(samples, folds: 5, seed: 42)
        for fold in 0..<5 {
            for group in 0..<2 {
                for isSpam in [false, true] {
                    let total = samples.indices.filter { samples[$0].group == group && samples[$0].isSpam == isSpam }
                    let inFold = total.filter { folds[$0] == fold }
                    XCTAssertEqual(Double(inFold.count), Double(total.count) / 5, accuracy: 1)
                }
            }
        }
    }
}
