import Foundation
import MIME
import MoatCore
import SpamEngine
import XCTest
@testable import Filter

/// HeaderComposer against amavisd-new's re-injected headers (reference/amavisd-new/*.headers.txt).
final class HeaderComposerTests: XCTestCase {
    /// reinjected_satest__spam__gtube.eml.headers.txt, verbatim (LF line ends).
    private let gtubeReference = """
        X-Quarantine-ID: <x-v7C83uNNvi>
        X-Virus-Scanned: Debian amavis at example.com
        X-Spam-Flag: YES
        X-Spam-Score: 1000.998
        X-Spam-Level: ****************************************************************
        X-Spam-Status: Yes, score=1000.998 tagged_above=-9999 required=6.31
         tests=[GTUBE=1000, HEADER_FROM_DIFFERENT_DOMAINS=1, NO_RECEIVED=-0.001,
         NO_RELAYS=-0.001] autolearn=disabled
        Received: from feeder.example.org ([127.0.0.1])
         by localhost (peers.example.com [127.0.0.1]) (amavis, port 10024) with ESMTP
         id x-v7C83uNNvi for <rcpt@example.com>; Thu, 26 Nov 2026 00:48:13 +0000 (UTC)
        X-Peers-File: satest/spam/gtube.eml
        Message-ID: <GTUBE1.1010101@example.com>
        Date: Mon, 07 Oct 2002 09:00:00 +0000
        From: Sender <sender@example.com>
        MIME-Version: 1.0
        To: Recipient <recipient@example.com>
        Subject: ***SPAM*** GTUBE
        Content-Type: text/plain; charset=us-ascii; format=flowed
        Content-Transfer-Encoding: 7bit

        """

    /// The first seven lines of reinjected_sa__easy_ham__00001….headers.txt, verbatim.
    private let hamReference = """
        X-Virus-Scanned: Debian amavis at example.com
        X-Spam-Flag: NO
        X-Spam-Score: 0
        X-Spam-Level:
        X-Spam-Status: No, score=0 tagged_above=-9999 required=6.31
         tests=[HEADER_FROM_DIFFERENT_DOMAINS=1, MAILING_LIST_MULTI=-1]
         autolearn=disabled

        """

    private let referenceDirectory = "/work/shared/reference/amavisd-new"
    private let rcpt = EmailAddress(uncheckedLocalPart: "rcpt", domain: "example.com")
    private let gtubeBody = Array("This is the GTUBE, the\r\n\tGeneric\r\nTest for\r\nUnsolicited\r\nBulk\r\nEmail\r\n\r\n\(TestMessages.gtube)\r\n\r\n".utf8)

    private func policy(localDomains: String = #"["."]"#) throws -> FilterPolicy {
        FilterPolicy(config: try MoatConfig.parse("""
            [filter]
            hostname = "peers.example.com"
            x_header_line = "Debian amavis at example.com"
            local_domains = \(localDomains)
            [spam]
            tag_level = -9999
            tag2_level = 6.31
            kill_level = 6.31
            """, file: "test.toml"))
    }

    private func context(mailID: String, hits: [SpamVerdict.Hit], quarantined: Bool,
                         category: ContentCategory) -> HeaderComposer.Context {
        var report = ContentReport()
        report.spam = SpamVerdict(hits: hits)
        report.category = category
        return HeaderComposer.Context(
            mailID: mailID, report: report,
            transaction: SMTPTransactionInfo(clientAddress: "127.0.0.1", clientHelo: "feeder.example.org",
                                             protocolName: "ESMTP", localPort: 10024),
            quarantined: quarantined, date: Date(timeIntervalSince1970: 1_795_654_093))
    }

    private var gtubeOriginal: [UInt8] {
        let lines = gtubeReference.split(separator: "\n", omittingEmptySubsequences: false)
        let header = lines[11..<21].map { $0 == "Subject: ***SPAM*** GTUBE" ? "Subject: GTUBE" : String($0) }
        return Array((header.joined(separator: "\r\n") + "\r\n").utf8) + gtubeBody
    }

    private let gtubeHits = [
        SpamVerdict.Hit(name: "NO_RELAYS", score: -0.001), SpamVerdict.Hit(name: "GTUBE", score: 1000),
        SpamVerdict.Hit(name: "NO_RECEIVED", score: -0.001),
        SpamVerdict.Hit(name: "HEADER_FROM_DIFFERENT_DOMAINS", score: 1),
    ]

    /// Header lines (CRLF removed) up to the blank line, and the bytes after it.
    private func split(_ bytes: [UInt8]) -> (lines: [String], body: [UInt8]) {
        let marker: [UInt8] = [13, 10, 13, 10]
        var i = 0
        while i + 4 <= bytes.count && !bytes[i..<i + 4].elementsEqual(marker) { i += 1 }
        let header = String(decoding: bytes[..<min(i + 2, bytes.count)], as: UTF8.self)
        let lines = header.components(separatedBy: "\r\n").dropLast()
        return (Array(lines), Array(bytes[min(i + 4, bytes.count)...]))
    }

    func testReferenceFilesMatchEmbeddedCopies() throws {
        let gtubePath = "\(referenceDirectory)/reinjected_satest__spam__gtube.eml.headers.txt"
        let hamPath = "\(referenceDirectory)/reinjected_sa__easy_ham__00001.7c53336b37003a9286aba55d2945844c.headers.txt"
        guard FileManager.default.fileExists(atPath: gtubePath) else { return }
        XCTAssertEqual(try String(contentsOfFile: gtubePath, encoding: .utf8), gtubeReference)
        let ham = try String(contentsOfFile: hamPath, encoding: .utf8)
        XCTAssertTrue(ham.hasPrefix(hamReference))
    }

    func testGTUBEHeadersMatchAmavisdNewByteForByte() throws {
        let composer = HeaderComposer(policy: try policy())
        let original = gtubeOriginal
        let out = composer.compose(MIMEMessage.parse(original), recipients: [rcpt], local: true,
                                   context: context(mailID: "x-v7C83uNNvi", hits: gtubeHits, quarantined: true, category: .spam))
        let (lines, body) = split(out)
        let reference = gtubeReference.split(separator: "\n").map(String.init)
        XCTAssertEqual(reference.count, 20)
        // X-Quarantine-ID through X-Spam-Status: identical.
        XCTAssertEqual(Array(lines.prefix(8)), Array(reference.prefix(8)))
        // Our own Received header (amavis' names itself differently).
        XCTAssertEqual(lines[8], "Received: from feeder.example.org ([127.0.0.1])")
        XCTAssertEqual(lines[9], " by peers.example.com (Moat, port 10024) with ESMTP")
        XCTAssertTrue(lines[10].hasPrefix(" id x-v7C83uNNvi for <rcpt@example.com>; "), lines[10])
        // The original header, with the Subject tagged, identical to what amavisd-new passed on.
        XCTAssertEqual(Array(lines.dropFirst(11)), Array(reference.dropFirst(11)))
        XCTAssertTrue(lines.contains("Subject: ***SPAM*** GTUBE"))
        XCTAssertEqual(body, gtubeBody)
        // Only the Subject line changed: everything after it is the original bytes.
        let subjectEnd = Array("Subject: GTUBE\r\n".utf8)
        let originalTail = Array(original[(findIndex(subjectEnd, in: original)! + subjectEnd.count)...])
        XCTAssertEqual(Array(out.suffix(originalTail.count)), originalTail)
    }

    func testHamHeadersMatchAmavisdNewByteForByte() throws {
        let composer = HeaderComposer(policy: try policy())
        let original = Array("From: a@example.org\r\nTo: rcpt@example.com\r\nSubject: Re: New Sequences Window\r\n\r\nhello\r\n".utf8)
        let hits = [SpamVerdict.Hit(name: "MAILING_LIST_MULTI", score: -1),
                    SpamVerdict.Hit(name: "HEADER_FROM_DIFFERENT_DOMAINS", score: 1)]
        let out = composer.compose(MIMEMessage.parse(original), recipients: [rcpt], local: true,
                                   context: context(mailID: "hO2lA8P64wO1", hits: hits, quarantined: false, category: .clean))
        let (lines, body) = split(out)
        XCTAssertEqual(Array(lines.prefix(7)), hamReference.split(separator: "\n").map(String.init))
        XCTAssertEqual(lines[7], "Received: from feeder.example.org ([127.0.0.1])")
        XCTAssertTrue(lines.contains("Subject: Re: New Sequences Window"))
        XCTAssertFalse(lines.contains { $0.hasPrefix("X-Quarantine-ID") })
        XCTAssertEqual(body, Array("hello\r\n".utf8))
        XCTAssertEqual(Array(out.suffix(original.count)), original)
    }

    func testNonLocalRecipientsGetNoSpamHeaders() throws {
        let composer = HeaderComposer(policy: try policy(localDomains: #"[".example.net"]"#))
        let original = gtubeOriginal
        let outsider = EmailAddress(uncheckedLocalPart: "someone", domain: "elsewhere.org")
        let out = composer.compose(MIMEMessage.parse(original), recipients: [outsider], local: false,
                                   context: context(mailID: "x-v7C83uNNvi", hits: gtubeHits, quarantined: false, category: .spam))
        let (lines, body) = split(out)
        XCTAssertEqual(lines.first, "X-Virus-Scanned: Debian amavis at example.com")
        XCTAssertFalse(lines.contains { $0.hasPrefix("X-Spam-") }, "\(lines)")
        XCTAssertTrue(lines.contains("Subject: GTUBE"))
        XCTAssertTrue(lines.contains { $0.hasPrefix(" id x-v7C83uNNvi for <someone@elsewhere.org>; ") })
        XCTAssertEqual(Array(out.suffix(original.count)), original, "the original message follows unchanged")
        XCTAssertEqual(body, gtubeBody)
    }

    func testBelowTagLevelNoSpamHeaders() throws {
        var p = try policy()
        p.levels = SpamLevels(tag: 2, tag2: 6.31, kill: 6.31)
        let original = Array("Subject: x\r\n\r\nbody".utf8)
        let out = HeaderComposer(policy: p).compose(
            MIMEMessage.parse(original), recipients: [rcpt, rcpt], local: true,
            context: context(mailID: "abcdefghijkl", hits: [.init(name: "A", score: 1.5)], quarantined: false, category: .clean))
        let text = String(decoding: out, as: UTF8.self)
        XCTAssertFalse(text.contains("X-Spam-"))
        XCTAssertTrue(text.contains(" id abcdefghijkl; "), "no 'for' clause with several recipients")
        XCTAssertTrue(text.hasSuffix("Subject: x\r\n\r\nbody"))
    }

    func testSubjectAddedWhenMissingAndNoTests() throws {
        let original = Array("From: a@example.org\r\n\r\nbody\r\n".utf8)
        let out = HeaderComposer(policy: try policy()).compose(
            MIMEMessage.parse(original), recipients: [rcpt], local: true,
            context: context(mailID: "abcdefghijkl", hits: [.init(name: "GTUBE", score: 1000)], quarantined: false, category: .spam))
        let text = String(decoding: out, as: UTF8.self)
        XCTAssertTrue(text.contains("Subject: ***SPAM***\r\nFrom: a@example.org\r\n\r\nbody\r\n"), text)
        let none = HeaderComposer(policy: try policy()).compose(
            MIMEMessage.parse(original), recipients: [rcpt], local: true,
            context: context(mailID: "abcdefghijkl", hits: [], quarantined: false, category: .clean))
        XCTAssertTrue(String(decoding: none, as: UTF8.self).contains(
            "X-Spam-Status: No, score=0 tagged_above=-9999 required=6.31 tests=[none]\r\n autolearn=disabled\r\n"))
    }

    func testBadHeaderAlert() throws {
        var report = context(mailID: "abcdefghijkl", hits: [], quarantined: false, category: .badHeader)
        report.report.badHeaders = ["Non-encoded 8-bit data (char E9) in message header 'Subject'"]
        let original = Array("Subject: caf\u{E9}\r\n\r\nx".utf8)
        let out = HeaderComposer(policy: try policy()).compose(MIMEMessage.parse(original), recipients: [rcpt], local: true, context: report)
        let text = String(decoding: out, as: UTF8.self)
        XCTAssertTrue(text.contains("X-Amavis-Alert: BAD HEADER SECTION, Non-encoded 8-bit data (char E9) in\r\n message header 'Subject'\r\n"), text)
        XCTAssertEqual(Array(out.suffix(original.count)), original)
    }

    private func findIndex(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        return (0...(hay.count - needle.count)).first { hay[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
