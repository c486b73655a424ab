import XCTest
@testable import SMTP

/// What goes on the wire when reply text comes from outside (issue 9, defect 1): a name
/// or a relayed reply can neither add reply lines nor make one longer than RFC 5321 allows.
final class ReplyEncodingTests: XCTestCase {
    private func wireLines(_ reply: SMTPReply) -> [String] {
        let text = String(decoding: reply.encoded(), as: UTF8.self)
        XCTAssertTrue(text.hasSuffix("\r\n"))
        return text.components(separatedBy: "\r\n").dropLast().map { $0 }
    }

    func testCRLFInAnAttachmentNameCannotForgeReplyLines() {
        // The RFC 2231 name `x%0D%0A250-FAKE%0D%0A250%20y.exe`, decoded, in a banned reject.
        let name = "x\r\n250-FAKE\r\n250 y.exe"
        let reply = SMTPReply(554, "5.7.0", "Reject, id=abc - BANNED: \(name)")
        let lines = wireLines(reply)
        XCTAssertEqual(lines, ["554 5.7.0 Reject, id=abc - BANNED: x??250-FAKE??250 y.exe"])
        // A client's parser sees exactly one final reply.
        var parser = SMTPReplyParser()
        parser.append(reply.encoded())
        XCTAssertEqual(try parser.next()?.code, 554)
        XCTAssertNil(try parser.next())
    }

    func testBareLFAndOtherControlsArePrintable() {
        let reply = SMTPReply(250, nil, "a\nb\rc\u{0}d\u{1B}[31me\u{7F}f\tg")
        XCTAssertEqual(wireLines(reply), ["250 a?b?c?d?[31me?f g"])
    }

    func testNonASCIIBecomesOneQuestionMarkPerScalar() {
        XCTAssertEqual(wireLines(SMTPReply(550, "5.1.1", "<jöhn@exämple.com>: 🚫")), ["550 5.1.1 <j?hn@ex?mple.com>: ?"])
    }

    func testALongTextIsCutToFiveHundredTwelveOctetsWithCRLF() {
        let name = String(repeating: "n", count: 3000) + ".exe"
        let reply = SMTPReply(554, "5.7.0", "Reject - BANNED: \(name)")
        let bytes = reply.encoded()
        XCTAssertEqual(bytes.count, 512)
        let line = wireLines(reply)[0]
        XCTAssertTrue(line.hasPrefix("554 5.7.0 Reject - BANNED: nnn"))
        XCTAssertTrue(line.hasSuffix("..."))
    }

    func testEveryLineOfAMultiLineReplyIsBounded() {
        let reply = SMTPReply(code: 250, enhanced: nil, lines: [String(repeating: "a", count: 600), "SIZE 10240000", "X\r\nY"])
        let lines = wireLines(reply)
        XCTAssertEqual(lines.count, 3)
        XCTAssertEqual(lines[0].utf8.count, 510)
        XCTAssertEqual(lines[1], "250-SIZE 10240000")
        XCTAssertEqual(lines[2], "250 X??Y")
    }

    func testATextThatFitsExactlyIsNotCut() {
        let text = String(repeating: "z", count: 510 - "250 ".count)
        XCTAssertEqual(wireLines(SMTPReply(250, nil, text)), ["250 " + text])
    }

    func testPlainRepliesAreUnchanged() {
        XCTAssertEqual(String(decoding: SMTPReply(250, "2.0.0", "Ok: queued as 4F3A21C0").encoded(), as: UTF8.self),
                       "250 2.0.0 Ok: queued as 4F3A21C0\r\n")
        XCTAssertEqual(String(decoding: SMTPReply(code: 354, enhanced: nil, lines: [""]).encoded(), as: UTF8.self), "354 \r\n")
    }
}
