import POP3
import XCTest

final class POP3ResponseTests: XCTestCase {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// RFC 1939 §3: a line starting with "." gets another; the end is "." alone; bare LF
    /// becomes CRLF, and a last line without an end gets one.
    func testMessageIsDotStuffedWithCRLF() {
        let content = Array("Subject: x\n\n.hidden\r\nline\n..two\nlast".utf8)
        XCTAssertEqual(text(POP3Response.message(content, status: "5 octets")),
                       "+OK 5 octets\r\nSubject: x\r\n\r\n..hidden\r\nline\r\n...two\r\nlast\r\n.\r\n")
    }

    func testTopSendsTheHeaderAndNBodyLines() {
        let content = Array("A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\nthree\r\n".utf8)
        XCTAssertEqual(text(POP3Response.message(content, status: "", bodyLines: 2)),
                       "+OK\r\nA: 1\r\nB: 2\r\n\r\none\r\ntwo\r\n.\r\n")
        XCTAssertEqual(text(POP3Response.message(content, status: "", bodyLines: 0)), "+OK\r\nA: 1\r\nB: 2\r\n\r\n.\r\n")
    }

    /// LIST's size is what RETR sends before stuffing: CRLF line ends.
    func testSizeCountsCRLF() {
        for content in ["a\nb\n", "a\r\nb\r\n", "a\nb", "", "x\r\n.\r\n"] {
            let bytes = Array(content.utf8)
            let sent = POP3Response.message(bytes, status: "")
            // Between "+OK\r\n" and ".\r\n", minus the stuffed dots.
            let body = Array(sent.dropFirst(5).dropLast(3))
            let stuffedDots = text(body).components(separatedBy: "\r\n").filter { $0.hasPrefix("..") }.count
            XCTAssertEqual(POP3Response.size(of: bytes), body.count - stuffedDots, content.debugDescription)
        }
    }

    func testStatusLinesWithResponseCodes() {
        XCTAssertEqual(text(POP3Response.error("Authentication failed.", code: .auth)), "-ERR [AUTH] Authentication failed.\r\n")
        XCTAssertEqual(text(POP3Response.ok("")), "+OK\r\n")
        XCTAssertEqual(text(POP3Response.multiLine("", ["TOP", ".x"])), "+OK\r\nTOP\r\n..x\r\n.\r\n")
    }
}
