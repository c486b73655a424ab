import Foundation
import MIME
import MoatCore
import Notices
import XCTest
@testable import Filter

/// AdminNotice and DeliveryStatusNotification: byte-exact top-level headers against
/// amavisd-new's reference notices, MIME structure through the MIME parser, hostile input.
final class NoticeMessageTests: XCTestCase {
    private let date = Date(timeIntervalSince1970: 1_795_654_093)
    private let sender = EmailAddress(uncheckedLocalPart: "sender", domain: "example.org")
    private let postmaster = EmailAddress(uncheckedLocalPart: "postmaster", domain: "peers.example.com")
    private let admin = EmailAddress(uncheckedLocalPart: "postmaster", domain: "example.com")
    private let rcpt = EmailAddress(uncheckedLocalPart: "rcpt", domain: "example.com")
    private let originalHeader = Array("""
        Received: from feeder.example.org (feeder.example.org [127.0.0.1])\r
        \tby peers.example.com (Postfix) with ESMTP id 4ABC; Thu, 26 Nov 2026 00:48:13 +0000\r
        From: Sender <sender@example.org>\r
        To: rcpt@example.com\r
        Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= with attachment\r
        Message-ID: <orig-1@example.org>\r
        \r

        """.utf8)

    private var envelope: Envelope {
        Envelope(sender: sender, recipients: [rcpt],
                 client: ClientIdentity(address: "127.0.0.1", hostname: "feeder.example.org"))
    }

    private func virusNotice(_ names: [String], boundary: String, messageID: String? = nil,
                             header: [UInt8]? = nil) -> [UInt8] {
        AdminNotice.build(kind: .virus(names: names), mailID: "RCBGSptwrhCn", envelope: envelope,
                          originalHeader: header ?? originalHeader, hostname: "peers.example.com",
                          from: postmaster, to: admin, date: date,
                          quarantineLocation: "virus-quarantine/R/RCBGSptwrhCn", boundary: boundary,
                          messageID: messageID)
    }

    /// The top-level header section (through the CRLF of the last field).
    private func headerSection(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return text }
        return String(text[..<end.lowerBound]) + "\r\n"
    }

    private func assertCRLFOnly(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        for (i, b) in bytes.enumerated() {
            if b == 0x0A { XCTAssertTrue(i > 0 && bytes[i - 1] == 0x0D, "bare LF at \(i)", file: file, line: line) }
            if b == 0x0D { XCTAssertTrue(i + 1 < bytes.count && bytes[i + 1] == 0x0A, "bare CR at \(i)", file: file, line: line) }
        }
    }

    // MARK: AdminNotice

    func testVirusNoticeHeaderMatchesReferenceNotification5() {
        let bytes = virusNotice(["Peers.ClamAVTestFile.Code.NDB.UNOFFICIAL"], boundary: "----------=_1795654093-31704-0",
                                messageID: "<VAOoOoQLVZphZm@peers.example.com>")
        let reference = """
            Content-Type: multipart/mixed; boundary="----------=_1795654093-31704-0"
            Content-Transfer-Encoding: 8bit
            MIME-Version: 1.0
            From: "Content-filter at peers.example.com" <postmaster@peers.example.com>
            Date: Thu, 26 Nov 2026 00:48:13 +0000 (UTC)
            Subject: VIRUS (Peers.ClamAVTestFile.Code.NDB.UNOFFICIAL) in mail FROM
             [127.0.0.1] <sender@example.org>
            To: <postmaster@example.com>
            Message-ID: <VAOoOoQLVZphZm@peers.example.com>

            """
        XCTAssertEqual(headerSection(bytes), reference.replacingOccurrences(of: "\n", with: "\r\n"))
        assertCRLFOnly(bytes)
    }

    func testVirusNoticeHeaderMatchesReferenceNotification4() {
        let bytes = virusNotice(["Peers.Eicar.NDB.UNOFFICIAL"], boundary: "----------=_1795654093-31707-0",
                                messageID: "<VARCBGSptwrhCn@peers.example.com>")
        let reference = """
            Content-Type: multipart/mixed; boundary="----------=_1795654093-31707-0"
            Content-Transfer-Encoding: 8bit
            MIME-Version: 1.0
            From: "Content-filter at peers.example.com" <postmaster@peers.example.com>
            Date: Thu, 26 Nov 2026 00:48:13 +0000 (UTC)
            Subject: VIRUS (Peers.Eicar.NDB.UNOFFICIAL) in mail FROM [127.0.0.1]
             <sender@example.org>
            To: <postmaster@example.com>
            Message-ID: <VARCBGSptwrhCn@peers.example.com>

            """
        XCTAssertEqual(headerSection(bytes), reference.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    func testVirusNoticeStructureAndText() throws {
        let bytes = virusNotice(["Eicar-Test-Signature"], boundary: "----------=_1795654093-1-0")
        let message = MIMEMessage.parse(bytes)
        XCTAssertEqual(message.root.contentType.mimeType, "multipart/mixed")
        XCTAssertEqual(message.leaves.map(\.contentType.mimeType), ["text/plain", "text/rfc822-headers"])
        XCTAssertTrue(message.defects.isEmpty, "\(message.defects)")
        let text = try XCTUnwrap(message.leaves[0].text())
        for expected in [
            "A virus was found: Eicar-Test-Signature\r\n",
            "Content type: Virus\r\n",
            "Internal reference code for the message is RCBGSptwrhCn\r\n",
            "First upstream SMTP client IP address: [127.0.0.1] feeder.example.org\r\n",
            "Return-Path: <sender@example.org>\r\n",
            "From: Sender <sender@example.org>\r\n",
            "Message-ID: <orig-1@example.org>\r\n",
            "Subject: Grüße with attachment\r\n",
            "Delivery of the email was stopped!\r\n",
            "The message has been quarantined as: virus-quarantine/R/RCBGSptwrhCn\r\n",
            "  <rcpt@example.com>\r\n",
        ] {
            XCTAssertTrue(text.contains(expected), "missing \(expected.debugDescription) in\n\(text)")
        }
        XCTAssertEqual(message.leaves[0].contentType.charset?.uppercased(), "UTF-8")
        XCTAssertEqual(message.leaves[0].disposition, "inline")
        XCTAssertEqual(message.leaves[1].disposition, "inline")
        let returned = Array(message.leaves[1].body)
        XCTAssertTrue(returned.starts(with: originalHeader.dropLast(2)), String(decoding: returned, as: UTF8.self))
        XCTAssertTrue(bytes.suffix(32).elementsEqual(Array("\r\n------------=_1795654093-1-0--\r\n".utf8).suffix(32)))
    }

    func testDefaultMessageIDAndBoundaryShapes() throws {
        let virus = MIMEMessage.parse(AdminNotice.build(
            kind: .virus(names: ["X"]), mailID: "m", envelope: envelope, originalHeader: originalHeader,
            hostname: "peers.example.com", from: postmaster, to: admin, date: date, quarantineLocation: nil))
        let banned = MIMEMessage.parse(AdminNotice.build(
            kind: .banned(names: [".exe,document.pdf.exe"]), mailID: "m", envelope: envelope,
            originalHeader: originalHeader, hostname: "peers.example.com", from: postmaster, to: admin,
            date: date, quarantineLocation: nil))
        for (message, prefix) in [(virus, "VA"), (banned, "BA")] {
            let id = try XCTUnwrap(message.messageID)
            XCTAssertEqual(id.count, "<VARCBGSptwrhCn@peers.example.com>".count, id)
            XCTAssertTrue(id.hasPrefix("<\(prefix)") && id.hasSuffix("@peers.example.com>"), id)
            XCTAssertTrue(id.dropFirst().prefix(14).allSatisfy { $0.isASCII && $0.isLetter }, id)
            let boundary = try XCTUnwrap(message.root.contentType.boundary)
            XCTAssertTrue(boundary.hasPrefix("----------=_1795654093-\(getpid())-"), boundary)
            XCTAssertEqual(message.leaves.count, 2)
        }
        XCTAssertNotEqual(virus.root.contentType.boundary, banned.root.contentType.boundary)
    }

    func testBannedNoticeSubjectAndText() throws {
        let bytes = AdminNotice.build(
            kind: .banned(names: [".exe,document.pdf.exe"]), mailID: "abcDEF012345", envelope: envelope,
            originalHeader: originalHeader, hostname: "peers.example.com", from: postmaster, to: admin,
            date: date, quarantineLocation: nil, boundary: "b0")
        let message = MIMEMessage.parse(bytes)
        XCTAssertEqual(message.subject, "BANNED contents (.exe,document.pdf.exe) in mail FROM [127.0.0.1] <sender@example.org>")
        XCTAssertTrue(headerSection(bytes).contains(
            "Subject: BANNED contents (.exe,document.pdf.exe) in mail FROM [127.0.0.1]\r\n <sender@example.org>\r\n"))
        let text = try XCTUnwrap(message.leaves.first?.text())
        XCTAssertTrue(text.contains("Banned name: .exe,document.pdf.exe\r\nContent type: Banned\r\n"), text)
        XCTAssertTrue(text.contains("The message has not been quarantined.\r\n"), text)
    }

    func testSubjectWithoutClientAddressAndNullSender() {
        let envelope = Envelope(sender: .null, recipients: [rcpt])
        XCTAssertEqual(AdminNotice.subject(kind: .virus(names: ["A", "B"]), envelope: envelope),
                       "VIRUS (A, B) in mail FROM <>")
    }

    func testHostileInputCannotBreakTheNotice() throws {
        // A file name with CRLF and non-ASCII, and an original header that contains the
        // boundary we would have used.
        let hostileHeader = Array("Subject: x\r\n------------=_1795654093-9-9\r\nFrom: a@b\r\n\r\n".utf8)
        let bytes = AdminNotice.build(
            kind: .banned(names: ["r\u{E9}sum\u{E9}.pdf\r\nBcc: victim@example.net .exe"]), mailID: "m",
            envelope: envelope, originalHeader: hostileHeader, hostname: "peers.example.com", from: postmaster,
            to: admin, date: date, quarantineLocation: nil, boundary: "----------=_1795654093-9-9")
        assertCRLFOnly(bytes)
        let message = MIMEMessage.parse(bytes)
        XCTAssertNil(message.header.first("Bcc"))
        XCTAssertNotEqual(message.root.contentType.boundary, "----------=_1795654093-9-9")
        XCTAssertEqual(message.leaves.map(\.contentType.mimeType), ["text/plain", "text/rfc822-headers"])
        let subject = try XCTUnwrap(message.subject)
        XCTAssertTrue(subject.contains("résumé.pdf Bcc: victim@example.net .exe"), subject)
        let rawSubject = try XCTUnwrap(message.header.first("Subject"))
        XCTAssertTrue(rawSubject.rawValue.allSatisfy { $0 < 0x80 })
        let text = try XCTUnwrap(message.leaves.first?.text())
        XCTAssertFalse(text.contains("\r\nBcc:"), text)
    }

    // MARK: DeliveryStatusNotification

    private func bannedBounce(diagnostic: String = "554 5.7.0 Reject, id=RCBGSptwrhCn - BANNED: .exe,document.pdf.exe",
                              header: [UInt8]? = nil) -> [UInt8] {
        DeliveryStatusNotification.build(
            reportingMTA: "peers.example.com", from: postmaster,
            fromName: "Content-filter at peers.example.com", to: sender,
            subject: DeliveryStatusNotification.Subject.bannedContent,
            reason: "Your message contained a file type that is not accepted here.",
            arrivalDate: date.addingTimeInterval(-5),
            recipients: [DeliveryStatusNotification.Recipient(rcpt, status: "5.7.0", diagnostic: diagnostic)],
            originalHeader: header ?? originalHeader, mailID: "RCBGSptwrhCn", date: date,
            boundary: "----------=_1795654093-31707-1", messageID: "<DSabcdefghijkl@peers.example.com>")
    }

    func testDSNHeader() {
        let expected = """
            Content-Type: multipart/report; report-type=delivery-status;
             boundary="----------=_1795654093-31707-1"
            Content-Transfer-Encoding: 7bit
            MIME-Version: 1.0
            From: "Content-filter at peers.example.com" <postmaster@peers.example.com>
            Date: Thu, 26 Nov 2026 00:48:13 +0000 (UTC)
            Subject: Undeliverable mail, banned content
            In-Reply-To: <orig-1@example.org>
            References: <orig-1@example.org>
            To: <sender@example.org>
            Message-ID: <DSabcdefghijkl@peers.example.com>
            Auto-Submitted: auto-replied

            """
        XCTAssertEqual(headerSection(bannedBounce()), expected.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    func testDSNStructure() throws {
        let bytes = bannedBounce()
        assertCRLFOnly(bytes)
        let message = MIMEMessage.parse(bytes)
        XCTAssertTrue(message.defects.isEmpty, "\(message.defects)")
        XCTAssertEqual(message.root.contentType.mimeType, "multipart/report")
        XCTAssertEqual(message.root.contentType.parameters["report-type"], "delivery-status")
        XCTAssertEqual(message.leaves.map(\.contentType.mimeType),
                       ["text/plain", "message/delivery-status", "text/rfc822-headers"])
        XCTAssertEqual(message.subject, "Undeliverable mail, banned content")
        XCTAssertEqual(message.header.first("Auto-Submitted")?.unfoldedValue, "auto-replied")

        let human = try XCTUnwrap(message.leaves[0].text())
        XCTAssertTrue(human.contains("Your message contained a file type that is not accepted here."), human)
        XCTAssertTrue(human.contains("  <rcpt@example.com>: 554 5.7.0 Reject, id=RCBGSptwrhCn - BANNED:"), human)

        let status = String(decoding: message.leaves[1].body, as: UTF8.self)
        let expected = """
            Reporting-MTA: dns; peers.example.com
            Arrival-Date: Thu, 26 Nov 2026 00:48:08 +0000 (UTC)

            Final-Recipient: rfc822; rcpt@example.com
            Action: failed
            Status: 5.7.0
            Diagnostic-Code: smtp; 554 5.7.0 Reject, id=RCBGSptwrhCn - BANNED:
             .exe,document.pdf.exe
            Last-Attempt-Date: Thu, 26 Nov 2026 00:48:13 +0000 (UTC)

            """
        XCTAssertTrue(status.hasPrefix(expected.replacingOccurrences(of: "\n", with: "\r\n")), status)

        let returned = Array(message.leaves[2].body)
        XCTAssertTrue(returned.starts(with: originalHeader.dropLast(2)))
    }

    func testDSNWithSeveralRecipientsAndEightBitHeader() throws {
        let other = EmailAddress(uncheckedLocalPart: "other", domain: "example.com")
        let header = Array("Subject: Gr\u{FC}\u{DF}e\r\nFrom: a@b\r\n".utf8)
        let bytes = DeliveryStatusNotification.build(
            reportingMTA: "mx.example.com", from: postmaster, to: sender,
            subject: DeliveryStatusNotification.Subject.delayed, reason: "",
            originalEnvelopeID: "QQ314159", arrivalDate: date,
            recipients: [
                .init(rcpt, status: "5.1.1", diagnostic: "550 5.1.1 <rcpt@example.com>: user unknown",
                      remoteMTA: "in.example.com"),
                .init(other, action: .delayed, status: "4.4.1", willRetryUntil: date.addingTimeInterval(432_000)),
            ],
            originalHeader: header, mailID: nil, date: date)
        let message = MIMEMessage.parse(bytes)
        XCTAssertEqual(message.header.first("Content-Transfer-Encoding")?.unfoldedValue, "8bit")
        XCTAssertEqual(message.from, "\"Mail Delivery System\" <postmaster@peers.example.com>")
        XCTAssertNil(message.header.first("In-Reply-To"))
        XCTAssertEqual(message.leaves.map(\.contentType.mimeType),
                       ["text/plain", "message/delivery-status", "text/rfc822-headers"])
        XCTAssertEqual(message.leaves[2].headers.first("Content-Transfer-Encoding")?.unfoldedValue, "8bit")
        let status = String(decoding: message.leaves[1].body, as: UTF8.self)
        let blocks = status.components(separatedBy: "\r\n\r\n")
        XCTAssertGreaterThanOrEqual(blocks.count, 3, status)
        XCTAssertTrue(blocks[0].contains("Original-Envelope-Id: QQ314159"), status)
        XCTAssertTrue(blocks[1].contains("Final-Recipient: rfc822; rcpt@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; in.example.com"), status)
        XCTAssertTrue(blocks[2].contains("Final-Recipient: rfc822; other@example.com\r\nAction: delayed\r\nStatus: 4.4.1"), status)
        XCTAssertTrue(blocks[2].contains("Will-Retry-Until: Tue,  1 Dec 2026 00:48:13 +0000 (UTC)"), status)
        let human = try XCTUnwrap(message.leaves[0].text())
        XCTAssertTrue(human.contains("could not be delivered"), human)
        XCTAssertTrue(human.contains("has been delayed"), human)
        for line in String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n") {
            XCTAssertLessThanOrEqual(line.utf8.count, 78, line)
        }
    }
}
