import Foundation
import XCTest
@testable import SpamEngine

final class BayesClassifierTests: XCTestCase {
    func testRobinsonAndChiSquaredMatchSpamAssassin() {
        // f(w) for a token in 1 spam of 10 and 0 ham of 10: (0.030*0.538 + 1*1)/(0.030 + 1)
        XCTAssertEqual(BayesClassifier.tokenProbability(spam: 1, ham: 0, nspam: 10, nham: 10)!, 0.9865, accuracy: 1e-4)
        XCTAssertEqual(BayesClassifier.tokenProbability(spam: 0, ham: 5, nspam: 10, nham: 10)!, 0.0032, accuracy: 1e-4)
        XCTAssertNil(BayesClassifier.tokenProbability(spam: 0, ham: 0, nspam: 10, nham: 10))
        // Values computed with SpamAssassin's CombineChi.pm (perl -MMail::SpamAssassin::Bayes::CombineChi).
        XCTAssertEqual(BayesClassifier.combine(nspam: 100, nham: 100, probabilities: [0.99, 0.98, 0.2])!, 0.791478, accuracy: 1e-6)
        XCTAssertEqual(BayesClassifier.combine(nspam: 100, nham: 100, probabilities: [0.5])!, 0.5, accuracy: 1e-9)
        XCTAssertEqual(BayesClassifier.chi2q(0, halfV: 3), 1.0)
    }

    func testBands() {
        XCTAssertEqual(BayesClassifier.bandRule(for: 0), "BAYES_00")
        XCTAssertEqual(BayesClassifier.bandRule(for: 0.01), "BAYES_00")
        XCTAssertEqual(BayesClassifier.bandRule(for: 0.011), "BAYES_05")
        XCTAssertEqual(BayesClassifier.bandRule(for: 0.5), "BAYES_50")
        XCTAssertEqual(BayesClassifier.bandRule(for: 0.95), "BAYES_80")
        XCTAssertEqual(BayesClassifier.bandRule(for: 0.995), "BAYES_99")
        XCTAssertEqual(BayesClassifier.bandRules(for: 0.995), ["BAYES_99"])
        XCTAssertEqual(BayesClassifier.bandRules(for: 0.9995), ["BAYES_99", "BAYES_999"])
        XCTAssertEqual(BayesClassifier.bandRules(for: 1.0), ["BAYES_99", "BAYES_999"])
    }

    func message(_ subject: String, _ body: String, from: String) -> [UInt8] {
        Array("From: \(from)\nTo: you@example.org\nSubject: \(subject)\nMessage-ID: <\(UUID().uuidString)@x>\n\n\(body)\n".utf8)
    }

    func testToyTrainingSet() throws {
        let filter = BayesFilter(store: try BayesStore(inMemoryFor: ""), classifier: BayesClassifier(minSpam: 5, minHam: 5))
        let spamWords = ["cheap pills online pharmacy discount", "winner lottery claim prize money", "viagra cheap discount offer",
                         "claim your prize money today winner", "online pharmacy pills discount offer", "lottery winner money transfer"]
        let hamWords = ["meeting agenda for tuesday project review", "lunch tomorrow with the team", "project review notes attached",
                        "tuesday meeting moved to wednesday", "code review for the parser patch", "team lunch notes and agenda"]
        XCTAssertNil(try filter.classify(message("x", "pills", from: "a@b.c")))  // too few messages
        for (i, w) in spamWords.enumerated() { try filter.learn(message("offer \(i)", w, from: "deals@spam.example"), isSpam: true) }
        for (i, w) in hamWords.enumerated() { try filter.learn(message("re: \(i)", w, from: "colleague@work.example"), isSpam: false) }
        let spam = try XCTUnwrap(try filter.classify(message("great offer", "cheap pharmacy pills prize money", from: "deals@spam.example")))
        let ham = try XCTUnwrap(try filter.classify(message("re: agenda", "project meeting review notes tuesday", from: "colleague@work.example")))
        XCTAssertGreaterThan(spam.probability, 0.9)
        XCTAssertLessThan(ham.probability, 0.1)
        XCTAssertTrue(spam.rules.contains("BAYES_99") || spam.rules.contains("BAYES_95"), "\(spam.probability)")
    }

    func testAutolearn() {
        let a = BayesAutolearn()
        XCTAssertEqual(a.decide(score: -1, headPoints: 0, bodyPoints: 0, isSpam: false), .ham)
        XCTAssertEqual(a.decide(score: 0.05, headPoints: 0, bodyPoints: 0, learnedPoints: 3.5, isSpam: false),
                       .no("scored as ham but learner indicated spam"))
        XCTAssertEqual(a.decide(score: 13, headPoints: 4, bodyPoints: 5, isSpam: true), .spam)
        XCTAssertEqual(a.decide(score: 13, headPoints: 1, bodyPoints: 12, isSpam: true), .no("scored as spam but too few head points"))
        XCTAssertEqual(a.decide(score: 13, headPoints: 1, bodyPoints: 12, isSpam: true, forced: true), .spam)
        XCTAssertEqual(a.decide(score: 5, headPoints: 3, bodyPoints: 3, isSpam: true), .no("inside auto-learn thresholds"))
    }
}
