import XCTest
@testable import MIME

final class HeaderBlockTests: XCTestCase {
    func testFoldedFieldsUnfold() {
        let m = parse("Subject: a long\n subject\n\tthat folds\nX-Empty:\nTo: x@example.com\n\nbody\n")
        XCTAssertEqual(m.subject, "a long subject\tthat folds")
        XCTAssertEqual(m.header.first("x-empty")?.unfoldedValue, "")
        XCTAssertEqual(m.header.fields.map(\.name), ["Subject", "X-Empty", "To"])
        XCTAssertEqual(m.root.bodyString, "body\r\n")
        XCTAssertTrue(m.defects.isEmpty)
    }

    func testRawValueKeepsFoldingAndRangeCoversField() {
        let m = parse("Subject: a\n b\nFrom: c\n\n")
        let field = m.header.first("SUBJECT")!
        XCTAssertEqual(String(decoding: field.rawValue, as: UTF8.self), " a\r\n b")
        XCTAssertEqual(String(decoding: m.bytes[field.range], as: UTF8.self), "Subject: a\r\n b\r\n")
    }

    func testCaseInsensitiveLookupAndAll() {
        let m = parse("Received: one\nreceived: two\nRECEIVED: three\n\n")
        XCTAssertEqual(m.header.all("Received").map(\.unfoldedValue), ["one", "two", "three"])
        XCTAssertEqual(m.header.first("received")?.unfoldedValue, "one")
        XCTAssertNil(m.header.first("Subject"))
        XCTAssertNil(m.subject)
    }

    func testBareLFMessage() {
        let text = "From: a@example.com\nSubject: hi\n\nline 1\nline 2\n"
        let m = parse(text, crlf: false)
        XCTAssertEqual(m.subject, "hi")
        XCTAssertEqual(m.header.bodyOffset, text.utf8.count - "line 1\nline 2\n".utf8.count)
        XCTAssertEqual(m.root.text(), "line 1\nline 2\n")
    }

    func testMboxFromLineSkipped() {
        let m = parse("From someone@example.com  Thu Aug 22 12:36:23 2002\nSubject: x\n\nbody")
        XCTAssertTrue(m.hasMboxFromLine)
        XCTAssertEqual(m.subject, "x")
        XCTAssertFalse(m.defects.contains(.badHeaderLine))
        XCTAssertFalse(parse("From: a@b\n\n").hasMboxFromLine)
    }

    func testGarbageHeaderLinesAreSkipped() {
        let m = parse("Subject: ok\nthis is not a header\n: empty name\n\u{01}bad\nFrom: me\n\nbody")
        XCTAssertEqual(m.subject, "ok")
        XCTAssertEqual(m.from, "me")
        XCTAssertEqual(m.defects.filter { $0 == .badHeaderLine }.count, 3)
        XCTAssertEqual(m.root.bodyString, "body")
    }

    func testSpaceBeforeColonAccepted() {
        let m = parse("Subject : spaced\n\n")
        XCTAssertEqual(m.header.first("Subject")?.unfoldedValue, "spaced")
    }

    func testLeadingContinuationIsDefect() {
        let m = parse(" orphan\nSubject: s\n\n")
        XCTAssertEqual(m.subject, "s")
        XCTAssertEqual(m.defects, [.badHeaderLine])
    }

    func testEmptyMessage() {
        let m = MIMEMessage.parse([])
        XCTAssertTrue(m.header.fields.isEmpty)
        XCTAssertEqual(m.root.bodyRange, 0..<0)
        XCTAssertEqual(m.leaves.count, 1)
        XCTAssertEqual(m.root.contentType.mimeType, "text/plain")
        XCTAssertEqual(m.root.text(), "")
        XCTAssertNil(m.subject)
    }

    func testHeaderOnlyWithoutBlankLine() {
        let m = parse("Subject: only\nFrom: a@b")
        XCTAssertEqual(m.subject, "only")
        XCTAssertEqual(m.from, "a@b")
        XCTAssertFalse(m.header.hasBlankLine)
        XCTAssertTrue(m.root.bodyRange.isEmpty)
        XCTAssertEqual(m.header.bodyOffset, m.bytes.count)
        XCTAssertEqual(m.defects, [.missingBlankLine])
    }

    func testHeaderLimitTurnsRestIntoBody() {
        var text = ""
        for i in 0..<100 { text += "X-Filler-\(i): some value\n" }
        let m = parse(text + "\nbody", limits: MIMELimits(maxHeaderBytes: 200))
        XCTAssertTrue(m.defects.contains(.headerLimit))
        XCTAssertLessThan(m.header.fields.count, 100)
        XCTAssertTrue(m.root.bodyString.hasSuffix("body"))
    }

    func testEightBitHeaderFallsBackToLatin1() {
        var raw = Array("Subject: caf".utf8)
        raw += [0xE9]
        raw += Array("\r\n\r\n".utf8)
        XCTAssertEqual(MIMEMessage.parse(raw).subject, "café")
        XCTAssertEqual(parse("Subject: café\n\n").subject, "café")
    }

    func testMessageIDAndFromConvenience() {
        let m = parse("From: =?utf-8?q?J=C3=B6rg?= <j@example.de>\nMessage-ID:\n <abc@host>\n\n")
        XCTAssertEqual(m.from, "Jörg <j@example.de>")
        XCTAssertEqual(m.messageID, "<abc@host>")
    }
}
