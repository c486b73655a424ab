import Foundation
import MoatCore
import XCTest
@testable import SpamEngine

/// The rule engine with Bayes: score set switching, BAYES_xx band rules, autolearn.
final class EngineTests: XCTestCase {
    static let rules = """
        body   BAYES_00   eval:check_bayes('0.00', '0.01')
        tflags BAYES_00   nice learn
        score  BAYES_00   0 0 -1.9 -1.9
        body   BAYES_50   eval:check_bayes('0.40', '0.60')
        tflags BAYES_50   learn
        score  BAYES_50   0 0 0.8 0.8
        body   BAYES_99   eval:check_bayes('0.99', '1.00')
        tflags BAYES_99   learn
        score  BAYES_99   0 0 3.5 3.5
        body   BAYES_999  eval:check_bayes('0.999', '1.00')
        tflags BAYES_999  learn
        score  BAYES_999  0 0 0.2 0.2
        body   LOCAL_BODY /cheap pills/
        score  LOCAL_BODY 1.0 1.0 0.5 0.5
        header BIG_HEAD   Subject =~ /Special Offer/
        score  BIG_HEAD   3.5
        body   BIG_BODY   /viagra/
        score  BIG_BODY   3.5
        body   BIG_BODY2  /pharmacy/
        score  BIG_BODY2  3.5
        """

    private var rulesDir: EngineRulesDirectory!
    private var database: String!

    override func setUpWithError() throws {
        rulesDir = try EngineRulesDirectory(Self.rules)
        database = NSTemporaryDirectory() + "moat-engine-bayes-\(UUID().uuidString).sqlite"
    }

    override func tearDown() {
        rulesDir?.remove()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
    }

    private func bayesSettings(autolearn: Bool = false) -> BayesSettings {
        var s = BayesSettings()
        s.database = database
        s.minSpam = 5
        s.minHam = 5
        s.autolearn = autolearn
        s.autolearnThresholdSpam = 6.0
        s.autolearnThresholdHam = 0.1
        return s
    }

    private func engine(bayes: BayesSettings?) -> RuleEngine {
        RuleEngine(directories: [rulesDir.path], settings: RuleEngineSettings(useNetwork: false, bayes: bayes))
    }

    static let spamWords = ["cheap", "pills", "viagra", "discount", "pharmacy", "winner", "prize", "casino",
                            "bonus", "lottery", "replica", "watches", "credit", "loan", "refinance"]
    static let hamWords = ["meeting", "agenda", "project", "schedule", "review", "minutes", "quarterly",
                           "budget", "report", "deadline", "colleague", "proposal", "draft", "office", "lunch"]

    static func text(_ words: [String], seed: Int) -> String {
        (0..<60).map { words[($0 * 7 + seed * 3) % words.count] }.joined(separator: " ") + "\n"
    }

    private func train(_ filter: BayesFilter, spam: Int = 12, ham: Int = 12) throws {
        for i in 0..<spam {
            let m = EngineMessages.message(subject: "Special deal \(i)", body: Self.text(Self.spamWords, seed: i))
            try filter.learn(m.bytes, isSpam: true)
        }
        for i in 0..<ham {
            let m = EngineMessages.message(subject: "Project meeting \(i)", body: Self.text(Self.hamWords, seed: i))
            try filter.learn(m.bytes, isSpam: false)
        }
    }

    func testBayesUnusableUsesTheNonBayesScoreSet() async throws {
        let engine = engine(bayes: bayesSettings())
        XCTAssertNotNil(engine.bayes)
        XCTAssertFalse(engine.unimplemented.contains("BAYES_99"))
        let result = await engine.scan(EngineMessages.message(subject: "Hi", body: "cheap pills here\n"))
        XCTAssertEqual(result.scoreSet, ScoreSet(bayes: false, network: false))
        XCTAssertEqual(result.verdict.hits, [SpamVerdict.Hit(name: "LOCAL_BODY", score: 1.0)])
        XCTAssertNil(result.bayesProbability)
    }

    func testTrainedBayesHitsBayes99AndSwitchesScoreSet() async throws {
        let engine = engine(bayes: bayesSettings())
        try train(try XCTUnwrap(engine.bayes))
        let spam = await engine.scan(EngineMessages.message(subject: "Hi", body: "cheap pills " + Self.text(Self.spamWords, seed: 42)))
        XCTAssertEqual(spam.scoreSet, ScoreSet(bayes: true, network: false))
        let p = try XCTUnwrap(spam.bayesProbability)
        XCTAssertGreaterThan(p, 0.99)
        let names = spam.verdict.hits.map(\.name)
        XCTAssertTrue(names.contains("BAYES_99"), "\(names) p=\(p)")
        XCTAssertEqual(spam.verdict.hits.first { $0.name == "LOCAL_BODY" }?.score, 0.5, "score set 2")
        XCTAssertEqual(spam.verdict.autolearn, "disabled")

        let ham = await engine.scan(EngineMessages.message(subject: "Hi", body: Self.text(Self.hamWords, seed: 42)))
        XCTAssertLessThan(try XCTUnwrap(ham.bayesProbability), 0.01)
        XCTAssertEqual(ham.verdict.hits.map(\.name), ["BAYES_00"])
        XCTAssertEqual(ham.verdict.score, -1.9, accuracy: 1e-9)
    }

    func testNoBayesConfigured() async throws {
        let engine = engine(bayes: nil)
        XCTAssertNil(engine.bayesRuleset)
        let result = await engine.scan(EngineMessages.message(subject: "Hi", body: "cheap pills\n"))
        XCTAssertEqual(result.scoreSet, ScoreSet(bayes: false, network: false))
        XCTAssertNil(result.verdict.autolearn)
        XCTAssertEqual(result.verdict.hits.map(\.name), ["LOCAL_BODY"])
    }

    func testAutolearnSpamAndHam() async throws {
        let engine = engine(bayes: bayesSettings(autolearn: true))
        let bayes = try XCTUnwrap(engine.bayes)
        // 3.5 header + 3.5 body points ≥ 6: learned as spam.
        let spam = await engine.scan(EngineMessages.message(subject: "Special Offer", body: "viagra for you\n"))
        XCTAssertEqual(spam.verdict.autolearn, "spam")
        // Nothing hits: score 0 < 0.1, learned as ham.
        let ham = await engine.scan(EngineMessages.message(subject: "Lunch", body: "see you at noon\n"))
        XCTAssertEqual(ham.verdict.autolearn, "ham")
        // Between the thresholds: not learned.
        let middle = await engine.scan(EngineMessages.message(subject: "Special Offer", body: "hello\n"))
        XCTAssertEqual(middle.verdict.autolearn, "no")
        await engine.waitForAutolearn()
        let counts = try bayes.store.messageCounts()
        XCTAssertEqual(counts.nspam, 1)
        XCTAssertEqual(counts.nham, 1)
    }

    /// Autolearn keeps the database within `max_tokens`: 100 different messages learned as
    /// ham bring far more tokens than the cap, and the checks along the way and the last
    /// one when the learning is done expire the oldest (SpamAssassin keeps 75% of the cap).
    func testAutolearnExpiresTokensBeyondMaxTokens() async throws {
        var settings = bayesSettings(autolearn: true)
        settings.maxTokens = 200
        let engine = engine(bayes: settings)
        let bayes = try XCTUnwrap(engine.bayes)
        for i in 0..<100 {
            let body = (0..<30).map { "w\(i)x\($0)" }.joined(separator: " ") + "\n"
            let result = await engine.scan(EngineMessages.message(subject: "Notes \(i)", body: body))
            XCTAssertEqual(result.verdict.autolearn, "ham")
        }
        await engine.waitForAutolearn()
        XCTAssertEqual(try bayes.store.messageCounts().nham, 100)
        let tokens = try bayes.store.stats().ntokens
        XCTAssertLessThanOrEqual(tokens, 200)
        XCTAssertGreaterThan(tokens, 100)
    }

    func testAutolearnHeadPointsRequired() async throws {
        let engine = engine(bayes: bayesSettings(autolearn: true))
        // 8 body points, no header points: too few head points.
        let result = await engine.scan(EngineMessages.message(subject: "Hi", body: "viagra cheap pills pharmacy\n"))
        XCTAssertEqual(result.verdict.score, 8.0, accuracy: 1e-9)
        XCTAssertEqual(result.verdict.autolearn, "no")
    }
}
