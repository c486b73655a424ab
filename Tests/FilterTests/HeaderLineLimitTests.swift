import Foundation
import MIME
import MoatCore
import Notices
import SpamEngine
import XCTest
@testable import Filter

/// RFC 5322 §2.1.1: no line Moat writes passes 998 octets, whatever a peer sent. Each
/// generator gets the hostile input that used to break it.
final class HeaderLineLimitTests: XCTestCase {
    private let limit = HeaderLineLimit.octets

    /// Lines of `bytes` split at LF, CR dropped; fails for any over the limit.
    private func assertLinesWithinLimit(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        for text in bytes.split(separator: 10, omittingEmptySubsequences: false) {
            let length = text.last == 13 ? text.count - 1 : text.count
            XCTAssertLessThanOrEqual(length, limit, "a line of \(length) octets", file: file, line: line)
        }
    }

    /// What a reader gets back from a field folded by a hard cut: CRLF and the one space
    /// after it removed.
    private func uncut(_ text: String) -> String { text.replacingOccurrences(of: "\r\n ", with: "") }

    // MARK: HeaderFolding, the one renderer

    func testA3000OctetTokenIsCutAt998AndReadsBack() {
        let reply = "550 5.7.1 " + String(repeating: "x", count: 3_000)
        let folded = HeaderFolding.fold(name: "Diagnostic-Code", value: "smtp; " + reply)
        assertLinesWithinLimit(Array(folded.utf8))
        let lines = folded.components(separatedBy: "\r\n").dropLast()
        XCTAssertEqual(lines.map(\.utf8.count), [32, 998, 998, 998, 10], "folds before the token, then cuts at 998")
        XCTAssertEqual(uncut(folded), "Diagnostic-Code: smtp; 550 5.7.1" + String(repeating: "x", count: 3_000) + "\r\n")
    }

    func testCutsNeverSplitAUTF8Sequence() throws {
        let word = String(repeating: "é", count: 1_500)  // 3,000 octets, two per character
        let folded = HeaderFolding.bounded("X-Test: " + word + "\r\n")
        assertLinesWithinLimit(Array(folded.utf8))
        for line in folded.utf8.split(separator: 10) {
            XCTAssertNotNil(String(validating: Array(line), as: UTF8.self), "a line is not valid UTF-8")
        }
        XCTAssertEqual(uncut(folded), "X-Test: " + word + "\r\n")
    }

    func testLinesWithinTheLimitAreKeptAsWritten() {
        let received = "Received: from a (b [192.0.2.1])\r\n\tby mx with ESMTP id X;\r\n\tFri,  4 Dec 2026 22:00:00 +0000\r\n"
        XCTAssertEqual(HeaderFolding.bounded(received), received)
        let exact = "X: " + String(repeating: "y", count: limit - 3) + "\r\n"
        XCTAssertEqual(HeaderFolding.bounded(exact), exact)
    }

    func testALongLineWithSpacesIsFoldedAtWhitespaceTo78() {
        let words = (0..<400).map { "w\($0)" }.joined(separator: " ")  // ~2,000 octets
        let folded = HeaderFolding.bounded("X-Words: " + words + "\r\n")
        for line in folded.components(separatedBy: "\r\n").dropLast() {
            XCTAssertLessThanOrEqual(line.utf8.count, 78, line)
        }
        XCTAssertEqual(folded.replacingOccurrences(of: "\r\n ", with: " "), "X-Words: " + words + "\r\n")
    }

    // MARK: DSN

    private let date = Date(timeIntervalSince1970: 1_795_654_093)
    private let sender = EmailAddress(uncheckedLocalPart: "sender", domain: "example.org")
    private let postmaster = EmailAddress(uncheckedLocalPart: "postmaster", domain: "mx.example.com")

    private func dsn(_ recipients: [DeliveryStatusNotification.Recipient], subject: String = "Undelivered Mail") -> [UInt8] {
        DeliveryStatusNotification.build(
            reportingMTA: "mx.example.com", from: postmaster, to: sender, subject: subject, reason: "",
            arrivalDate: date, recipients: recipients, originalHeader: Array("Subject: x\r\n\r\n".utf8), mailID: nil,
            date: date)
    }

    func testDSNWithA3000OctetRemoteReply() throws {
        let rcpt = EmailAddress(uncheckedLocalPart: "rcpt", domain: "example.net")
        let unbroken = String(repeating: "x", count: 3_000)
        let spaced = Array(repeating: "blocked", count: 400).joined(separator: " ")
        for (reply, folding) in [(unbroken, "\r\n "), (spaced, " ")] {
            let bytes = dsn([.init(rcpt, status: "5.7.1", diagnostic: "550 5.7.1 " + reply,
                                   remoteMTA: String(repeating: "r", count: 1_200))])
            assertLinesWithinLimit(bytes)
            let message = MIMEMessage.parse(bytes)
            XCTAssertTrue(message.defects.isEmpty, "\(message.defects)")
            // Read back: a hard cut is undone by dropping CRLF SP, a fold at a space by
            // unfolding (CRLF SP becomes the space it was).
            let status = String(decoding: message.leaves[1].body, as: UTF8.self)
                .replacingOccurrences(of: "\r\n ", with: folding == " " ? " " : "")
            XCTAssertTrue(status.contains("Diagnostic-Code: smtp; 550 5.7.1" + (folding == " " ? " " : "") + reply), status)
        }
    }

    func testDSNWith500RecipientsAndA2000OctetSubject() {
        let recipients = (0..<500).map {
            DeliveryStatusNotification.Recipient(EmailAddress(uncheckedLocalPart: "user\($0)", domain: "example.net"),
                                                 status: "5.1.1", diagnostic: "550 5.1.1 unknown")
        }
        let bytes = dsn(recipients, subject: String(repeating: "s", count: 2_000))
        assertLinesWithinLimit(bytes)
        XCTAssertTrue(MIMEMessage.parse(bytes).defects.isEmpty)
    }

    // MARK: HeaderComposer (X-Spam-Status, X-Amavis-Alert, Received, tagged Subject)

    private func composer() throws -> HeaderComposer {
        HeaderComposer(policy: FilterPolicy(config: try MoatConfig.parse("""
            [filter]
            hostname = "peers.example.com"
            local_domains = ["."]
            [spam]
            tag_level = -9999
            tag2_level = 1
            """, file: "test.toml")))
    }

    private func context(helo: String, hits: Int) -> HeaderComposer.Context {
        var report = ContentReport()
        report.spam = SpamVerdict(hits: (0..<hits).map { SpamVerdict.Hit(name: "RULE_\($0)_" + String(repeating: "N", count: 40), score: 1) })
        return HeaderComposer.Context(
            mailID: "x-v7C83uNNvi", report: report,
            transaction: SMTPTransactionInfo(clientAddress: "192.0.2.1", clientHelo: helo, protocolName: "ESMTP", localPort: 10024),
            quarantined: false, date: date)
    }

    func testComposerWithHostileHeloSubjectAndRecipients() throws {
        let helo = String(repeating: "h", count: 2_000)
        let subject = String(repeating: "Buy ", count: 500)  // 2,000 octets
        let original = Array("From: a@example.org\r\nSubject: \(subject)\r\nTo: b@example.com\r\n\r\nbody\r\n".utf8)
        let recipients = (0..<500).map { EmailAddress(uncheckedLocalPart: "r\($0)", domain: "example.com") }
        for rcpts in [recipients, [recipients[0]]] {
            let out = try composer().compose(MIMEMessage.parse(original), recipients: rcpts, local: true,
                                             context: context(helo: helo, hits: 100))
            assertLinesWithinLimit(out)
            let text = String(decoding: out, as: UTF8.self)
            XCTAssertTrue(uncut(text).contains("Received: from " + helo + " ([192.0.2.1])"), text)
            let parsed = MIMEMessage.parse(out)
            XCTAssertEqual(parsed.subject?.replacingOccurrences(of: "  ", with: " "),
                           "***SPAM*** " + subject.trimmingCharacters(in: .whitespaces))
            XCTAssertTrue(text.hasSuffix("To: b@example.com\r\n\r\nbody\r\n"), "the rest of the message is unchanged")
        }
    }

    func testShortTaggedSubjectKeepsTheSendersBytes() throws {
        let original = Array("Subject:  Hello\tthere\r\n\r\nbody\r\n".utf8)
        let out = try composer().compose(MIMEMessage.parse(original), recipients: [], local: true,
                                         context: context(helo: "h.example", hits: 2))
        XCTAssertTrue(String(decoding: out, as: UTF8.self).hasSuffix("Subject: ***SPAM*** Hello\tthere\r\n\r\nbody\r\n"))
    }
}
