import Foundation
import XCTest
@testable import SpamEngine

/// Train on the even-numbered half of ../shared/corpus, test on the odd half. Prints the
/// figures; asserts only sanity.
final class BayesAccuracyTests: XCTestCase {
    func files(_ kind: String) throws -> [URL] {
        let dir = BayesTestFiles.corpus.appendingPathComponent(kind)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path), !names.isEmpty else {
            throw XCTSkip("corpus not found at \(dir.path)")
        }
        return names.sorted().map { dir.appendingPathComponent($0) }
    }

    func testCorpusSplitAccuracy() throws {
        let ham = try files("ham"), spam = try files("spam")
        let dir = NSTemporaryDirectory() + "bayes-accuracy-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let filter = BayesFilter(store: try BayesStore(path: dir + "/bayes.sqlite"))
        func load(_ urls: [URL]) throws -> [[UInt8]] { try urls.map { try Array(Data(contentsOf: $0)) } }
        let even = { (urls: [URL]) in urls.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) }
        let odd = { (urls: [URL]) in urls.enumerated().filter { $0.offset % 2 == 1 }.map(\.element) }
        let trainHam = try load(even(ham)), trainSpam = try load(even(spam))
        let testHam = try load(odd(ham)), testSpam = try load(odd(spam))

        let t0 = Date()
        for m in trainSpam { try filter.learn(m, isSpam: true) }
        for m in trainHam { try filter.learn(m, isSpam: false) }
        let learnSeconds = Date().timeIntervalSince(t0)
        let stats = try filter.store.stats()

        let t1 = Date()
        var spamHits = 0, spamNil = 0, hamFP = 0, hamNil = 0, hamAbove05 = 0
        var bands: [String: Int] = [:]
        for m in testSpam {
            guard let r = try filter.classify(m, touch: false) else { spamNil += 1; continue }
            if r.probability >= 0.9 { spamHits += 1 }
            bands["spam " + BayesClassifier.bandRule(for: r.probability), default: 0] += 1
        }
        for m in testHam {
            guard let r = try filter.classify(m, touch: false) else { hamNil += 1; continue }
            if r.probability >= 0.9 { hamFP += 1 }
            if r.probability > 0.5 { hamAbove05 += 1 }
            bands["ham " + BayesClassifier.bandRule(for: r.probability), default: 0] += 1
        }
        let classifySeconds = Date().timeIntervalSince(t1)
        let learned = trainHam.count + trainSpam.count, tested = testHam.count + testSpam.count
        let recall = Double(spamHits) / Double(testSpam.count)
        let fp = Double(hamFP) / Double(testHam.count)
        print("""
            Bayes corpus split: trained \(trainSpam.count) spam + \(trainHam.count) ham → \(stats.ntokens) tokens
              learn:    \(String(format: "%.0f", Double(learned) / learnSeconds)) messages/s (\(String(format: "%.2f", learnSeconds)) s)
              classify: \(String(format: "%.0f", Double(tested) / classifySeconds)) messages/s (\(String(format: "%.2f", classifySeconds)) s)
              spam recall at p ≥ 0.9: \(String(format: "%.1f", recall * 100))% (\(spamHits)/\(testSpam.count), no answer \(spamNil))
              ham false positives at p ≥ 0.9: \(String(format: "%.2f", fp * 100))% (\(hamFP)/\(testHam.count)); p > 0.5: \(hamAbove05); no answer \(hamNil)
              bands: \(bands.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            """)
        XCTAssertGreaterThan(recall, 0.5)
        XCTAssertLessThan(fp, 0.05)
    }
}
