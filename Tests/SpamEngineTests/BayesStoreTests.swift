import Foundation
import XCTest
@testable import SpamEngine

final class BayesStoreTests: XCTestCase {
    func testLearnIsIdempotentAndRelearnMovesCounts() throws {
        let store = try BayesStore(inMemoryFor: "")
        let ids: [BayesTokenID] = [1, 2, 3]
        XCTAssertEqual(try store.learn(ids, msgid: "m1", isSpam: true, atime: 100), .learned)
        XCTAssertEqual(try store.learn(ids, msgid: "m1", isSpam: true, atime: 200), .alreadyLearned)
        var c = try store.counts(for: ids)
        XCTAssertEqual(c[1], BayesTokenCounts(spam: 1, ham: 0, atime: 100))
        XCTAssertEqual(try store.messageCounts().nspam, 1)
        XCTAssertEqual(try store.seen("m1"), "s")

        XCTAssertEqual(try store.learn(ids, msgid: "m1", isSpam: false, atime: 300), .relearned)
        c = try store.counts(for: ids)
        XCTAssertEqual(c[2], BayesTokenCounts(spam: 0, ham: 1, atime: 300))
        let counts = try store.messageCounts()
        XCTAssertEqual(counts.nspam, 0)
        XCTAssertEqual(counts.nham, 1)
        XCTAssertEqual(try store.seen("m1"), "h")
    }

    func testForgetRemovesTokensAndAliasesCount() throws {
        let store = try BayesStore(inMemoryFor: "")
        try store.learn([1, 2], msgid: "a", aliases: ["<x@y>"], isSpam: false, atime: 10)
        try store.learn([2, 3], msgid: "b", isSpam: false, atime: 20)
        // Seen under its Message-ID alias: no double learning.
        XCTAssertEqual(try store.learn([1, 2], msgid: "<x@y>", isSpam: false, atime: 30), .learned)
        XCTAssertTrue(try store.forget([2, 3], msgid: "b"))
        XCTAssertFalse(try store.forget([2, 3], msgid: "b"))
        let c = try store.counts(for: [1, 2, 3])
        XCTAssertNil(c[3])
        XCTAssertEqual(c[2]?.ham, 2)
        let stats = try store.stats()
        XCTAssertEqual(stats.nham, 2)
        XCTAssertEqual(stats.ntokens, 2)
    }

    func testPerUserRowsAreSeparate() throws {
        let path = NSTemporaryDirectory() + "bayes-\(UUID().uuidString)/bayes.sqlite"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let site = try BayesStore(path: path)
        let alice = try BayesStore(path: path, user: "alice")
        try site.learn([7], msgid: "m", isSpam: true, atime: 1)
        XCTAssertEqual(try alice.stats().ntokens, 0)
        try alice.learn([7], msgid: "m", isSpam: false, atime: 1)
        XCTAssertEqual(try site.counts(for: [7])[7]?.spam, 1)
        XCTAssertEqual(try alice.counts(for: [7])[7]?.ham, 1)
    }

    func testExpiry() throws {
        let store = try BayesStore(inMemoryFor: "")
        for i in 0..<100 { try store.learn([BayesTokenID(i)], msgid: "m\(i)", isSpam: i % 2 == 0, atime: Int64(i)) }
        XCTAssertEqual(try store.expire(olderThan: 10), 10)
        XCTAssertEqual(try store.stats().oldestAtime, 10)
        XCTAssertEqual(try store.expire(keepingAtMost: 40), 60)  // down to 75% of 40
        let stats = try store.stats()
        XCTAssertEqual(stats.ntokens, 30)
        XCTAssertEqual(stats.oldestAtime, 70)
        XCTAssertEqual(stats.newestAtime, 99)
        try store.touch([99, 70], atime: 500)
        XCTAssertEqual(try store.stats().newestAtime, 500)
    }
}
