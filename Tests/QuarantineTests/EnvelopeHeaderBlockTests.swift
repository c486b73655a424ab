import MoatCore
import XCTest
@testable import Quarantine

/// The prepended header block on its own: no files, no database.
final class EnvelopeHeaderBlockTests: XCTestCase {
    private let id = "AbC-12_xyZ90"

    private func address(_ text: String) -> EmailAddress {
        EmailAddress(parsing: text)!
    }

    func testRendersAmavisLayoutWithLFForLFMessage() throws {
        let envelope = Envelope(sender: address("s@example.org"),
                                recipients: [address("a@example.com"), address("b@example.com")])
        let block = try EnvelopeHeaderBlock.render(
            mailID: id, envelope: envelope, blocked: ["a@example.com"], for: Array("Subject: x\n\nbody\n".utf8))
        XCTAssertEqual(String(decoding: block, as: UTF8.self), """
            X-Envelope-From: <s@example.org>
            X-Envelope-To: <a@example.com>,
             <b@example.com>
            X-Envelope-To-Blocked: <a@example.com>
            X-Quarantine-ID: <AbC-12_xyZ90>

            """)
    }

    func testUsesCRLFWhenMessageDoes() throws {
        let message = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        let envelope = Envelope(sender: .null, recipients: [address("a@example.com")])
        let block = try EnvelopeHeaderBlock.render(mailID: id, envelope: envelope, blocked: [], for: message)
        XCTAssertEqual(String(decoding: block, as: UTF8.self),
                       "X-Envelope-From: <>\r\nX-Envelope-To: <a@example.com>\r\nX-Quarantine-ID: <\(id)>\r\n")
        let parsed = try EnvelopeHeaderBlock.parse(block + message, mailID: id, path: "t")
        XCTAssertEqual(parsed.envelope, envelope)
        XCTAssertEqual(Array((block + message)[parsed.bodyStart...]), message)
    }

    func testRoundTripsAwkwardAddressesAndMessages() throws {
        let cases: [(Envelope, [String], [UInt8], UInt)] = [
            // Quoted local parts with '>' and ',' inside; UTF-8 domain.
            (Envelope(sender: address("\"a>b,c\"@example.org"),
                      recipients: [address("\"x, y\"@example.com"), address("u@bücher.example")]),
             ["\"x, y\"@example.com"], Array("Subject: hi\n\nx\n".utf8), #line),
            // No recipients, null sender, empty message.
            (Envelope(sender: .null, recipients: []), [], [], #line),
            // The message starts with an amavis block of its own, for another ID.
            (Envelope(sender: address("s@x.org"), recipients: [address("r@y.org")]), ["r@y.org"],
             Array("X-Envelope-From: <old@x>\nX-Envelope-To: <z@z>\nX-Quarantine-ID: <OTHERid1234>\n\nb".utf8),
             #line),
            // No line terminator at all, and bytes that are not UTF-8.
            (Envelope(sender: address("s@x.org"), recipients: [address("r@y.org")]), [],
             [0x00, 0xFF, 0x0D, 0x41, 0x0D], #line),
        ]
        for (envelope, blocked, message, line) in cases {
            let block = try EnvelopeHeaderBlock.render(mailID: id, envelope: envelope, blocked: blocked, for: message)
            let file = block + message
            let parsed = try EnvelopeHeaderBlock.parse(file, mailID: id, path: "t")
            XCTAssertEqual(parsed.envelope, envelope, line: line)
            XCTAssertEqual(parsed.blocked, blocked, line: line)
            XCTAssertEqual(Array(file[parsed.bodyStart...]), message, line: line)
        }
    }

    func testRefusesAddressesThatWouldBreakTheHeader() {
        for bad in ["a\r\nX-Evil: 1@x", "a@x\n", "a\0@x"] {
            let envelope = Envelope(sender: EmailAddress(uncheckedLocalPart: bad, domain: "x"), recipients: [])
            XCTAssertThrowsError(try EnvelopeHeaderBlock.render(mailID: id, envelope: envelope, blocked: [], for: [])) {
                guard case QuarantineError.invalidAddress = $0 else { return XCTFail("\($0)") }
            }
            let ok = Envelope(sender: .null, recipients: [])
            XCTAssertThrowsError(try EnvelopeHeaderBlock.render(mailID: id, envelope: ok, blocked: [bad], for: []))
        }
    }

    func testRejectsDamagedBlocks() {
        let damaged: [(String, UInt)] = [
            ("", #line),
            ("Subject: no block\n\nbody", #line),
            ("X-Envelope-To: <a@b>\nX-Envelope-From: <>\nX-Quarantine-ID: <\(id)>\n", #line),
            ("X-Envelope-From: <>\nX-Envelope-To: <a@b>\nX-Quarantine-ID: <SomeOtherID1>\n", #line),
            ("X-Envelope-From: <>\nX-Envelope-To: <a@b>\n", #line),
            ("X-Envelope-From: <>\nX-Envelope-To: <a@b\nX-Quarantine-ID: <\(id)>\n", #line),
            ("X-Envelope-From: <>\nX-Envelope-To: <a@b>\nX-Quarantine-ID: <\(id)>", #line),
            // LF first line, then a CR-terminated line: not what we write.
            ("X-Envelope-From: <>\nX-Envelope-To: <a@b>\r\nX-Quarantine-ID: <\(id)>\n", #line),
        ]
        for (text, line) in damaged {
            XCTAssertThrowsError(try EnvelopeHeaderBlock.parse(Array(text.utf8), mailID: id, path: "p"), line: line) {
                guard case QuarantineError.corruptFile(path: "p", _) = $0 else {
                    return XCTFail("unexpected \($0)", line: line)
                }
            }
        }
    }

    func testFieldNamesAreCaseInsensitive() throws {
        let file = Array("x-envelope-from: <s@x.org>\nX-ENVELOPE-TO: <r@y.org>\nx-quarantine-id: <\(id)>\nB".utf8)
        let parsed = try EnvelopeHeaderBlock.parse(file, mailID: id, path: "p")
        XCTAssertEqual(parsed.envelope.recipients, [address("r@y.org")])
        XCTAssertEqual(Array(file[parsed.bodyStart...]), Array("B".utf8))
    }

    /// RFC 5322's 998-octet line limit with hostile envelopes: a 2,000-octet sender and
    /// recipient (a 2,048-octet RCPT line holds one) and 500 recipients; every address
    /// reads back byte for byte.
    func testLongAddressesAreCutWithinTheLineLimitAndReadBack() throws {
        let longLocal = String(repeating: "a", count: 1_990)
        let quoted = EmailAddress(uncheckedLocalPart: "x y" + String(repeating: "é", count: 700), domain: "example.com")
        let long = EmailAddress(uncheckedLocalPart: longLocal, domain: "example.com")
        let many = (0..<500).map { EmailAddress(uncheckedLocalPart: "user\($0)", domain: "example.com") }
        for eol in ["\r\n", "\n"] {
            let message = Array("Subject: x\(eol)\(eol)body\(eol)".utf8)
            let envelope = Envelope(sender: long, recipients: [quoted, long] + many)
            let block = try EnvelopeHeaderBlock.render(mailID: id, envelope: envelope,
                                                       blocked: [long.description, quoted.description], for: message)
            for line in block.split(separator: 10) {
                XCTAssertLessThanOrEqual(line.count - (line.last == 13 ? 1 : 0), HeaderLineLimit.octets)
            }
            let parsed = try EnvelopeHeaderBlock.parse(block + message, mailID: id, path: "p")
            XCTAssertEqual(parsed.envelope, envelope)
            XCTAssertEqual(parsed.blocked, [long.description, quoted.description])
            XCTAssertEqual(Array((block + message)[parsed.bodyStart...]), message)
        }
    }
}
