import Foundation
import IMAP
import Mailstore
import XCTest
@testable import IMAPServer

/// Figures for a 10,000-message mailbox (printed; the build is debug, so only the checks
/// on results and file reads fail the test): index-only keys, SORT ARRIVAL and a BODY
/// search over every message.
final class SearchThroughputTests: XCTestCase {
    func testTenThousandMessages() throws {
        var messages: [IndexedMessage] = []
        var files: [MessageUID: [UInt8]] = [:]
        for index in 0..<10_000 {
            let uid = MessageUID(index * 2 + 1)
            messages.append(IndexedMessage(
                uid: uid, flags: index % 3 == 0 ? [.seen] : [], keywords: index % 7 == 0 ? ["$Junk"] : [], modSeq: ModSeq(index + 1),
                size: Int64(1000 + index % 5000), internalDate: 1_600_000_000 - Double(index % 97) * 60, baseName: "m\(uid)"))
            files[uid] = Array("Subject: message \(index)\r\nFrom: user\(index % 50)@example.org\r\n\r\nbody text \(index % 10 == 0 ? "needle" : "hay") \(index)\r\n".utf8)
        }
        let reads = ReadLog()
        let evaluator = SearchEvaluator(context: SearchContext(messages: messages)) { uid in
            reads.uids.append(uid)
            return files[uid] ?? []
        }
        let clock = ContinuousClock()
        var indexOnly = SearchMatches(messages: [], usesModSeq: false)
        let indexTime = try clock.measure {
            indexOnly = try evaluator.search(.and([.unseen, .larger(2000), .not(.keyword("$junk")), .uid(.ranges([SequenceRange(.number(1), .last)]))]))
        }
        let expected = messages.filter { !$0.flags.contains(.seen) && $0.size > 2000 && !$0.keywords.contains("$Junk") }.map(\.uid)
        XCTAssertEqual(indexOnly.numbers(byUID: true), expected)
        XCTAssertEqual(reads.uids.count, 0)

        var sorted = SearchMatches(messages: [], usesModSeq: false)
        let sortTime = try clock.measure { sorted = try evaluator.sort([SortCriterion(.arrival)], key: .all, charset: nil) }
        XCTAssertEqual(sorted.messages.count, 10_000)
        XCTAssertEqual(reads.uids.count, 0)

        var body = SearchMatches(messages: [], usesModSeq: false)
        let bodyTime = try clock.measure { body = try evaluator.search(.body(Array("NEEDLE".utf8))) }
        XCTAssertEqual(body.messages.count, 1000)
        XCTAssertEqual(reads.uids.count, 10_000, "each message read once")
        print("10,000 messages: index-only SEARCH \(indexTime), SORT ARRIVAL \(sortTime), BODY SEARCH \(bodyTime)")
    }
}
