import IMAP
import IMAPServer
import XCTest

/// APPEND of a literal8: binary parts are stored as base64, exactly as Dovecot stores them
/// (imaptest's `append-binary` checks BODY[1] is not the raw bytes and BINARY[1] is).
final class FetchBinaryAppendTests: XCTestCase {
    private static let samples: [[UInt8]] = [
        // imaptest's append-binary message.
        FetchSamples.crlf("From: user@domain.org\nDate: Sat, 24 Mar 2007 23:00:00 +0200\nMime-Version: 1.0\n"
            + "Content-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n") + [0x20, 0x00, 0x2D, 0xFF, 0x0D, 0x0A, 0x0D, 0x0A, 0x0D, 0x0A],
        // A binary part among others; the CTE field before Content-Type; 300 bytes (several lines).
        FetchSamples.crlf("Mime-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\ntext\n--b\n"
            + "Content-Transfer-Encoding: BINARY\nContent-Type: application/x\n\n") + (0..<300).map { UInt8($0 % 256) }
            + FetchSamples.crlf("\n--b\nContent-Transfer-Encoding:  binary\n\nnot exact\n--b--\n"),
        // A multipart claiming binary is left alone.
        FetchSamples.crlf("Content-Type: multipart/mixed; boundary=c\nContent-Transfer-Encoding: binary\n\n--c\n\nx\n--c--\n"),
        FetchSamples.crlf("Subject: nothing binary\n\nplain\n"),
    ]

    func testBinaryPartsAreStoredAsBase64LikeDovecot() throws {
        let oracle = try FetchDovecotOracle(messages: [])
        defer { oracle.remove() }
        // APPEND in one session, FETCH in the next (Dovecot may answer a pipelined FETCH
        // before the last APPEND is in).
        _ = try oracle.run(bytes: Self.samples.map { Array("APPEND INBOX ~{\($0.count)+}\r\n".utf8) + $0 })
        let (output, _) = try oracle.run(["FETCH 1:* (BODY.PEEK[])"])
        let stored = FetchResponseTree.fetchItems(in: output)
        for (index, sample) in Self.samples.enumerated() {
            let converted = BinaryAppendConversion.toBase64(sample)
            XCTAssertEqual(stored[index + 1]?["BODY[]"], .string(converted), "sample \(index + 1)")
            XCTAssertFalse(MessageSections(converted).section(SectionSpecifier()).contains(0))
        }
    }

    /// What BODY[1] and BINARY[1] give after the conversion (imaptest's append-binary).
    func testBinaryGivesTheOriginalBytesBack() throws {
        let sections = MessageSections(BinaryAppendConversion.toBase64(Self.samples[0]))
        XCTAssertEqual(try sections.binary(part: [1]), [0x20, 0x00, 0x2D, 0xFF, 0x0D, 0x0A, 0x0D, 0x0A, 0x0D, 0x0A])
        XCTAssertEqual(try sections.binarySize(part: [1]), 10)
        XCTAssertEqual(sections.section(SectionSpecifier(part: [1])), Array("IAAt/w0KDQoNCg==".utf8))
        XCTAssertEqual(BinaryAppendConversion.toBase64(Self.samples[3]), Self.samples[3])
    }
}
