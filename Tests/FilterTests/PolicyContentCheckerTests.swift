import Foundation
import MIME
import MoatCore
import Scanning
import SpamEngine
import XCTest
@testable import Filter

/// A scanner that reports `FAKE-VIRUS` for any bytes containing the marker, or always throws.
struct FakeVirusScanner: VirusScanner {
    static let marker = Array("FAKE-VIRUS-MARKER".utf8)
    var fails = false

    func scan(_ bytes: [UInt8], name: String?) async throws -> [String] {
        if fails { throw ScanError.scanFailed(name: name, message: "fake failure") }
        guard bytes.count >= Self.marker.count else { return [] }
        for i in 0...(bytes.count - Self.marker.count) where bytes[i..<i + Self.marker.count].elementsEqual(Self.marker) {
            return ["Fake.Test.Virus"]
        }
        return []
    }
}

/// A spam checker with a fixed verdict.
struct FixedSpamChecker: SpamChecker {
    var verdict: SpamVerdict
    func check(_ message: MIMEMessage, envelopeSender: String?) async throws -> SpamVerdict { verdict }
}

enum TestMessages {
    static let gtube = String(decoding: GTUBECheck.marker, as: UTF8.self)

    static func plain(subject: String = "hello", body: String = "Just a plain message.\r\n",
                      extraHeaders: String = "") -> [UInt8] {
        Array("""
            From: Sender <sender@example.org>\r
            To: rcpt@example.com\r
            Subject: \(subject)\r
            Message-ID: <test-1@example.org>\r
            \(extraHeaders)MIME-Version: 1.0\r
            Content-Type: text/plain; charset=us-ascii\r
            \r
            \(body)
            """.utf8)
    }

    static func withAttachment(name: String, content: String, body: String = "see attachment\r\n") -> [UInt8] {
        let encoded = Array(content.utf8).base64
        return Array("""
            From: Sender <sender@example.org>\r
            To: rcpt@example.com\r
            Subject: attachment\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="BOUNDARY"\r
            \r
            --BOUNDARY\r
            Content-Type: text/plain\r
            \r
            \(body)\r
            --BOUNDARY\r
            Content-Type: application/octet-stream; name="\(name)"\r
            Content-Disposition: attachment; filename="\(name)"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(encoded)\r
            --BOUNDARY--\r

            """.utf8)
    }
}

extension Array where Element == UInt8 {
    var base64: String { Data(self).base64EncodedString() }
}

final class PolicyContentCheckerTests: XCTestCase {
    private let levels = SpamLevels(tag: 2, tag2: 6.31, kill: 6.31)

    private func checker(scanner: (any VirusScanner)? = FakeVirusScanner(), spam: any SpamChecker = GTUBECheck(),
                         levels: SpamLevels? = nil) throws -> ContentChecker {
        ContentChecker(virusScanner: scanner, banned: try BannedFilePolicy(patterns: BannedSettings().filenames),
                       spam: spam, levels: levels ?? self.levels)
    }

    func testClean() async throws {
        let report = try await checker().check(TestMessages.plain())
        XCTAssertEqual(report.category, .clean)
        XCTAssertEqual(report.virusNames, [])
        XCTAssertEqual(report.bannedNames, [])
        XCTAssertEqual(report.badHeaders, [])
        XCTAssertEqual(report.spam, .empty)
        XCTAssertNil(report.detail)
    }

    func testVirusInRawMessage() async throws {
        let report = try await checker().check(TestMessages.plain(body: "FAKE-VIRUS-MARKER\r\n"))
        XCTAssertEqual(report.category, .virus)
        XCTAssertEqual(report.virusNames, ["Fake.Test.Virus"])
        XCTAssertEqual(report.detail, "Fake.Test.Virus")
    }

    func testVirusOnlyVisibleInDecodedLeaf() async throws {
        let message = TestMessages.withAttachment(name: "data.bin", content: "xx FAKE-VIRUS-MARKER xx")
        XCTAssertFalse(String(decoding: message, as: UTF8.self).contains("FAKE-VIRUS-MARKER"))
        let report = try await checker().check(message)
        XCTAssertEqual(report.category, .virus)
        XCTAssertEqual(report.virusNames, ["Fake.Test.Virus"])
    }

    func testBannedAttachment() async throws {
        let report = try await checker().check(TestMessages.withAttachment(name: "invoice.exe", content: "hello"))
        XCTAssertEqual(report.category, .banned)
        XCTAssertFalse(report.bannedNames.isEmpty)
        XCTAssertTrue(report.bannedNames.contains { $0.contains("invoice.exe") }, "\(report.bannedNames)")
        XCTAssertEqual(report.detail, report.bannedNames.joined(separator: ", "))
    }

    func testVirusWinsOverBannedAndSpam() async throws {
        let message = TestMessages.withAttachment(name: "invoice.exe", content: "FAKE-VIRUS-MARKER",
                                                  body: TestMessages.gtube)
        let report = try await checker().check(message)
        XCTAssertEqual(report.category, .virus)
        XCTAssertFalse(report.bannedNames.isEmpty)
        XCTAssertEqual(report.spam.score, 1000)
    }

    func testBannedWinsOverSpam() async throws {
        let message = TestMessages.withAttachment(name: "run.bat", content: "echo", body: TestMessages.gtube)
        let report = try await checker().check(message)
        XCTAssertEqual(report.category, .banned)
        XCTAssertEqual(report.spam.score, 1000)
    }

    func testGTUBEIsSpamAtKillLevel() async throws {
        let report = try await checker().check(TestMessages.plain(body: TestMessages.gtube + "\r\n"))
        XCTAssertEqual(report.category, .spam)
        XCTAssertEqual(report.spam.hits.map(\.name), ["GTUBE"])
        XCTAssertEqual(report.spam.score, 1000)
        XCTAssertNil(report.detail)
    }

    func testGTUBEIsSpammyBelowKillLevel() async throws {
        let c = try checker(levels: SpamLevels(tag: 2, tag2: 6.31, kill: 2000))
        let report = try await c.check(TestMessages.plain(body: TestMessages.gtube + "\r\n"))
        XCTAssertEqual(report.category, .spammy)
    }

    func testSpammyWinsOverBadHeader() async throws {
        let c = try checker(spam: FixedSpamChecker(verdict: SpamVerdict(hits: [.init(name: "X", score: 7)])),
                            levels: SpamLevels(tag: 2, tag2: 6.31, kill: 10))
        let report = try await c.check(TestMessages.plain(subject: "caf\u{E9}"))
        XCTAssertFalse(report.badHeaders.isEmpty)
        XCTAssertEqual(report.category, .spammy)
    }

    func testBadHeader() async throws {
        let report = try await checker().check(TestMessages.plain(subject: "caf\u{E9}"))
        XCTAssertEqual(report.category, .badHeader)
        XCTAssertEqual(report.badHeaders.count, 1)
        XCTAssertTrue(report.badHeaders[0].hasPrefix("Non-encoded 8-bit data"), report.badHeaders[0])
        XCTAssertEqual(report.detail, report.badHeaders.first)
    }

    func testScoreExactlyAtLevels() async throws {
        let at = try checker(spam: FixedSpamChecker(verdict: SpamVerdict(hits: [.init(name: "A", score: 6.31)])),
                             levels: SpamLevels(tag: 2, tag2: 6.31, kill: 6.31))
        let report = try await at.check(TestMessages.plain())
        XCTAssertEqual(report.category, .spam)
        let below = try checker(spam: FixedSpamChecker(verdict: SpamVerdict(hits: [.init(name: "A", score: 6.3)])))
        let belowReport = try await below.check(TestMessages.plain())
        XCTAssertEqual(belowReport.category, .clean)
    }

    func testCategorizeRanking() throws {
        let c = try checker(levels: SpamLevels(tag: 2, tag2: 5, kill: 10))
        func report(virus: Bool = false, banned: Bool = false, score: Double = 0, badHeader: Bool = false) -> ContentReport {
            var r = ContentReport()
            if virus { r.virusNames = ["V"] }
            if banned { r.bannedNames = ["B"] }
            r.spam = SpamVerdict(hits: [.init(name: "S", score: score)])
            if badHeader { r.badHeaders = ["H"] }
            return r
        }
        XCTAssertEqual(c.categorize(report(virus: true, banned: true, score: 20, badHeader: true)), .virus)
        XCTAssertEqual(c.categorize(report(banned: true, score: 20, badHeader: true)), .banned)
        XCTAssertEqual(c.categorize(report(score: 10, badHeader: true)), .spam)
        XCTAssertEqual(c.categorize(report(score: 5, badHeader: true)), .spammy)
        XCTAssertEqual(c.categorize(report(score: 4.99, badHeader: true)), .badHeader)
        XCTAssertEqual(c.categorize(report(score: 4.99)), .clean)
        XCTAssertEqual(c.categorize(report(score: -5)), .clean)
    }

    func testNoScannerNoBannedPolicy() async throws {
        let c = ContentChecker(virusScanner: nil, banned: nil, spam: GTUBECheck(), levels: levels)
        let report = try await c.check(TestMessages.withAttachment(name: "x.exe", content: "FAKE-VIRUS-MARKER"))
        XCTAssertEqual(report.category, .clean)
    }

    func testScannerFailureThrows() async throws {
        let c = try checker(scanner: FakeVirusScanner(fails: true))
        do {
            _ = try await c.check(TestMessages.plain())
            XCTFail("a failing scanner must make the check throw")
        } catch let error as ScanError {
            XCTAssertEqual(error, .scanFailed(name: nil, message: "fake failure"))
        }
    }
}
