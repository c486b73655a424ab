import XCTest
@testable import SMTP

final class ClientReplyParserTests: XCTestCase {
    private func parseAll(_ text: String, chunk: Int? = nil, file: StaticString = #filePath,
                          line: UInt = #line) throws -> [SMTPReply] {
        var parser = SMTPReplyParser()
        var replies: [SMTPReply] = []
        let bytes = Array(text.utf8)
        let size = chunk ?? max(bytes.count, 1)
        var offset = 0
        while offset < bytes.count {
            parser.append(bytes[offset..<min(offset + size, bytes.count)])
            offset += size
            while let reply = try parser.next() { replies.append(reply) }
        }
        XCTAssertTrue(parser.isIdle, "leftover bytes", file: file, line: line)
        return replies
    }

    func testSingleLineWithEnhancedCode() throws {
        let replies = try parseAll("250 2.0.0 Ok: queued as 3F4A21C0\r\n")
        XCTAssertEqual(replies, [SMTPReply(code: 250, enhanced: "2.0.0", lines: ["Ok: queued as 3F4A21C0"])])
    }

    func testMultiLineEHLOWithoutEnhancedCodes() throws {
        let text = "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 XFORWARD NAME ADDR\r\n"
        let replies = try parseAll(text)
        XCTAssertEqual(replies.count, 1)
        XCTAssertEqual(replies[0].code, 250)
        XCTAssertNil(replies[0].enhanced)
        XCTAssertEqual(replies[0].lines, ["mx.example.org", "PIPELINING", "SIZE 10240000", "8BITMIME", "XFORWARD NAME ADDR"])
    }

    func testEnhancedCodeStrippedFromEveryLine() throws {
        let replies = try parseAll("550-5.7.1 first\r\n550-5.7.1 second\r\n550 5.7.1 third\r\n")
        XCTAssertEqual(replies, [SMTPReply(code: 550, enhanced: "5.7.1", lines: ["first", "second", "third"])])
    }

    func testEnhancedCodeNeedsMatchingClassAndShape() throws {
        XCTAssertEqual(try parseAll("250 5.0.0 odd\r\n")[0], SMTPReply(code: 250, enhanced: nil, lines: ["5.0.0 odd"]))
        XCTAssertEqual(try parseAll("250 2.0 short\r\n")[0].enhanced, nil)
        XCTAssertEqual(try parseAll("250 2.0.0\r\n")[0], SMTPReply(code: 250, enhanced: "2.0.0", lines: [""]))
        XCTAssertEqual(try parseAll("451 4.7.25 Client host rejected\r\n")[0].enhanced, "4.7.25")
        XCTAssertEqual(try parseAll("250 2.1.0a x\r\n")[0].enhanced, nil)
    }

    func testCodeOnlyLineAndBareLF() throws {
        XCTAssertEqual(try parseAll("250\r\n"), [SMTPReply(code: 250, enhanced: nil, lines: [""])])
        XCTAssertEqual(try parseAll("220 hi\n250 ok\n").map(\.code), [220, 250])
    }

    func testSeveralRepliesInOneChunkAndByteByByte() throws {
        let text = "220 mx ESMTP\r\n250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n250 2.1.0 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
        let whole = try parseAll(text)
        XCTAssertEqual(whole.map(\.code), [220, 250, 250, 354])
        for size in [1, 2, 3, 7, 13] {
            XCTAssertEqual(try parseAll(text, chunk: size), whole, "chunk size \(size)")
        }
    }

    func testReturnsNilUntilLastLine() throws {
        var parser = SMTPReplyParser()
        parser.append(Array("250-a\r\n250-b\r".utf8))
        XCTAssertNil(try parser.next())
        parser.append(Array("\n250 c".utf8))
        XCTAssertNil(try parser.next())
        parser.append(Array("\r\n".utf8))
        XCTAssertEqual(try parser.next()?.lines, ["a", "b", "c"])
        XCTAssertNil(try parser.next())
    }

    func testOverLongLineWithoutLF() {
        var parser = SMTPReplyParser(maxLineLength: 16, maxLines: 100)
        parser.append(Array("250 ".utf8) + Array(repeating: UInt8(ascii: "x"), count: 20))
        XCTAssertThrowsError(try parser.next()) { XCTAssertEqual($0 as? SMTPReplyParser.Error, .lineTooLong(limit: 16)) }
        // The parser stays failed.
        parser.append(Array("\r\n250 ok\r\n".utf8))
        XCTAssertThrowsError(try parser.next()) { XCTAssertEqual($0 as? SMTPReplyParser.Error, .lineTooLong(limit: 16)) }
    }

    func testOverLongLineWithLFAndLimitBoundary() throws {
        var parser = SMTPReplyParser(maxLineLength: 8, maxLines: 100)
        parser.append(Array("250 1234\r\n".utf8))  // exactly 8 bytes before CRLF
        XCTAssertEqual(try parser.next()?.lines, ["1234"])
        parser.append(Array("250 12345\n".utf8))
        XCTAssertThrowsError(try parser.next()) { XCTAssertEqual($0 as? SMTPReplyParser.Error, .lineTooLong(limit: 8)) }
    }

    func testTooManyLines() {
        var parser = SMTPReplyParser(maxLineLength: 100, maxLines: 3)
        parser.append(Array("250-a\r\n250-b\r\n250-c\r\n250-d\r\n".utf8))
        XCTAssertThrowsError(try parser.next()) { XCTAssertEqual($0 as? SMTPReplyParser.Error, .tooManyLines(limit: 3)) }
    }

    func testMalformedAndInconsistent() {
        for bad in ["hello\r\n", "25\r\n", "2x0 ok\r\n", "250_ok\r\n", "650 no\r\n", "050 no\r\n"] {
            var parser = SMTPReplyParser()
            parser.append(Array(bad.utf8))
            XCTAssertThrowsError(try parser.next(), bad) {
                guard case .malformedLine = $0 as? SMTPReplyParser.Error else { return XCTFail("\($0)") }
            }
        }
        var parser = SMTPReplyParser()
        parser.append(Array("250-a\r\n251 b\r\n".utf8))
        XCTAssertThrowsError(try parser.next()) {
            XCTAssertEqual($0 as? SMTPReplyParser.Error, .inconsistentCode(expected: 250, found: 251))
        }
    }

    func testLongStreamIsCompacted() throws {
        var parser = SMTPReplyParser()
        for i in 0..<5000 {
            parser.append(Array("250 2.1.5 Ok \(i)\r\n".utf8))
            XCTAssertEqual(try parser.next()?.lines, ["Ok \(i)"])
        }
        XCTAssertEqual(parser.bufferedByteCount, 0)
    }

    func testNonUTF8TextIsDecodedLeniently() throws {
        var parser = SMTPReplyParser()
        parser.append([50, 53, 48, 32, 0xFF, 0x41, 13, 10])
        XCTAssertEqual(try parser.next()?.lines, ["\u{FFFD}A"])
    }
}
