import Foundation
import MoatCore
import XCTest
@testable import Mailstore

final class MaildirQuotaTests: MaildirTestCase {
    var maildir: String { "\(root)/example.test/bob/Maildir" }
    var maildirsize: String { "\(maildir)/maildirsize" }

    func testHeaderLineRoundTrip() {
        XCTAssertEqual(QuotaLimit(bytes: 1000, messages: 10).headerLine, "1000S,10C")
        XCTAssertEqual(QuotaLimit(bytes: 1000).headerLine, "1000S")
        XCTAssertEqual(QuotaLimit().headerLine, "0S")
        XCTAssertEqual(QuotaLimit(headerLine: "1000S,10C"), QuotaLimit(bytes: 1000, messages: 10))
        XCTAssertEqual(QuotaLimit(headerLine: "0S,5C"), QuotaLimit(messages: 5))
        XCTAssertNil(QuotaLimit(headerLine: "1000X"))
        XCTAssertNil(QuotaLimit(headerLine: "S"))
    }

    func testFirstDeliveryCreatesMaildirsizeAndLaterOnesAppend() throws {
        let limit = QuotaLimit(bytes: 100_000, messages: 100)
        let first = try writer.deliver(bytes("Subject: 1\n\n"), from: sender, to: try target(bob, quota: limit))
        // Created by the scan before the first delivery (0 used), then the append.
        XCTAssertEqual(String(decoding: try contents(maildirsize), as: UTF8.self),
                       "100000S,100C\n0 0\n\(first.size) 1\n")
        let second = try writer.deliver(bytes("Subject: 2\n\nmore\n"), from: sender, to: try target(bob, quota: limit))
        XCTAssertEqual(String(decoding: try contents(maildirsize), as: UTF8.self),
                       "100000S,100C\n0 0\n\(first.size) 1\n\(second.size) 1\n")
        let status = try MaildirQuota(maildir: maildir, limit: limit).quotaStatus()
        XCTAssertEqual(status, QuotaStatus(usedBytes: Int64(first.size + second.size), usedMessages: 2, limit: limit))
        XCTAssertEqual(try mode(maildirsize), 0o600)
        XCTAssertEqual(try names(in: "\(maildir)/tmp"), [])
    }

    func testRecalculationCountsAllFoldersAndUsesSizeFields() throws {
        let limit = QuotaLimit(bytes: 1_000_000)
        let a = try writer.deliver(bytes("Subject: a\n\n"), from: sender, to: try target(bob))
        let b = try writer.deliver(bytes("Subject: b\n\n"), from: sender, to: try target(bob, folder: .junk))
        // A message another program put in cur/ without S=: sized by stat.
        let foreign = bytes("Subject: foreign\n\n12345\n")
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(maildir)/cur/1.2.other:2,S", contents: Data(foreign)))
        let status = try MaildirQuota(maildir: maildir, limit: limit).recalculate()
        XCTAssertEqual(status.usedBytes, Int64(a.size + b.size + foreign.count))
        XCTAssertEqual(status.usedMessages, 3)
        XCTAssertEqual(String(decoding: try contents(maildirsize), as: UTF8.self),
                       "1000000S\n\(status.usedBytes) 3\n")
    }

    func testOversizedFileIsRecalculated() throws {
        let limit = QuotaLimit(bytes: 1_000_000)
        let delivered = try writer.deliver(bytes("Subject: a\n\n"), from: sender, to: try target(bob, quota: limit))
        // 5120 bytes of bogus deltas: the spec says rebuild rather than trust them.
        let junkLines = String(repeating: "10 1\n", count: 1100)
        try Data(("1000000S\n" + junkLines).utf8).write(to: URL(fileURLWithPath: maildirsize))
        let status = try MaildirQuota(maildir: maildir, limit: limit).quotaStatus()
        XCTAssertEqual(status.usedMessages, 1)
        XCTAssertEqual(status.usedBytes, Int64(delivered.size))
        XCTAssertEqual(String(decoding: try contents(maildirsize), as: UTF8.self), "1000000S\n\(delivered.size) 1\n")
    }

    func testChangedLimitOrMalformedFileIsRecalculated() throws {
        _ = try writer.deliver(bytes("Subject: a\n\n"), from: sender, to: try target(bob, quota: QuotaLimit(bytes: 500)))
        let status = try MaildirQuota(maildir: maildir, limit: QuotaLimit(bytes: 900, messages: 9)).quotaStatus()
        XCTAssertEqual(status.usedMessages, 1)
        XCTAssertTrue(String(decoding: try contents(maildirsize), as: UTF8.self).hasPrefix("900S,9C\n"))
        try Data("900S,9C\nnot numbers\n".utf8).write(to: URL(fileURLWithPath: maildirsize))
        XCTAssertEqual(try MaildirQuota(maildir: maildir, limit: QuotaLimit(bytes: 900, messages: 9)).quotaStatus().usedMessages, 1)
    }

    func testOverQuotaRefusesWithTemporaryErrorAndLeavesNothing() throws {
        let limit = QuotaLimit(bytes: 200)
        let first = try writer.deliver(bytes("Subject: fits\n\n"), from: sender, to: try target(bob, quota: limit))
        let quota = MaildirQuota(maildir: maildir, limit: limit)
        XCTAssertTrue(try quota.wouldExceed(size: Int64(201 - first.size)))
        XCTAssertFalse(try quota.wouldExceed(size: Int64(200 - first.size)))
        let big = bytes("Subject: big\n\n" + String(repeating: "x", count: 200))
        XCTAssertThrowsError(try writer.deliver(big, from: sender, to: try target(bob, quota: limit))) { error in
            guard case MailstoreError.overQuota(let path, let status, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, maildir)
            XCTAssertEqual(status.usedBytes, Int64(first.size))
            XCTAssertEqual((error as? MailstoreError)?.enhancedStatusCode, "4.2.2")
            XCTAssertEqual((error as? MailstoreError)?.isTemporary, true)
        }
        XCTAssertEqual(try names(in: "\(maildir)/new").count, 1)
        XCTAssertEqual(try names(in: "\(maildir)/tmp"), [])
    }

    func testMessageCountLimit() throws {
        let limit = QuotaLimit(messages: 2)
        _ = try writer.deliver(bytes("\n"), from: sender, to: try target(bob, quota: limit))
        _ = try writer.deliver(bytes("\n"), from: sender, to: try target(bob, quota: limit))
        XCTAssertThrowsError(try writer.deliver(bytes("\n"), from: sender, to: try target(bob, quota: limit)))
    }

    func testStaleFileSayingFullIsRecalculatedAfterFifteenMinutes() throws {
        let limit = QuotaLimit(bytes: 1000)
        _ = try writer.deliver(bytes("\n"), from: sender, to: try target(bob, quota: limit))
        // Another program expunged mail without recording it: the file claims 990 used.
        try Data("1000S\n990 5\n".utf8).write(to: URL(fileURLWithPath: maildirsize))
        let quota = MaildirQuota(maildir: maildir, limit: limit)
        let now = DurableFile.currentTime()
        XCTAssertTrue(try quota.wouldExceed(size: 100, now: now), "fresh: trusted")
        XCTAssertFalse(try quota.wouldExceed(size: 100, now: now + 16 * 60), "stale: rebuilt from the messages")
        XCTAssertEqual(try quota.quotaStatus().usedMessages, 1)
    }

    func testConcurrentDeliveriesAppendEveryLine() async throws {
        let limit = QuotaLimit(bytes: 10_000_000)
        let writer = self.writer
        let sender = self.sender
        _ = try writer.deliver(bytes("\n"), from: sender, to: try target(bob, quota: limit))
        let target = try self.target(bob, quota: limit)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<200 {
                group.addTask { try writer.deliver(Array("Subject: c\n\n".utf8), from: sender, to: target).size }
            }
            return try await group.reduce(0, +)
        }
        let lines = String(decoding: try contents(maildirsize), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 2 + 1 + 200)
        let status = try MaildirQuota(maildir: maildir, limit: limit).quotaStatus()
        XCTAssertEqual(status.usedMessages, 201)
        let recalculated = try MaildirQuota(maildir: maildir, limit: limit).recalculate()
        XCTAssertEqual(recalculated, status)
        XCTAssertGreaterThan(total, 0)
    }
}
