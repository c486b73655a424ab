import NetworkService
import XCTest

final class LineFramerTests: XCTestCase {
    private func lines(_ input: [UInt8], limit: Int, chunk: Int) -> [LineFramer.Event] {
        var framer = LineFramer()
        var events: [LineFramer.Event] = []
        var start = 0
        while start < input.count {
            framer.feed(input[start..<min(start + chunk, input.count)])
            start += chunk
            while let event = framer.next(limit: limit) { events.append(event) }
        }
        return events
    }

    /// Same lines whether the bytes come one at a time or all at once.
    func testLinesAnySplit() {
        let input = Array("USER a\r\nPASS b c\nCAPA\r\n\r\nrest".utf8)
        let expected: [LineFramer.Event] = [.line(Array("USER a".utf8)[...]), .line(Array("PASS b c".utf8)[...]),
                                            .line(Array("CAPA".utf8)[...]), .line([][...])]
        for chunk in [1, 2, 3, 7, input.count] {
            XCTAssertEqual(lines(input, limit: 20, chunk: chunk), expected, "chunk \(chunk)")
        }
    }

    /// An overlong line is reported once, skipped to its end, and the next line is read.
    func testOverlongLineIsSkippedWithBoundedMemory() {
        let input = Array(String(repeating: "x", count: 10_000).utf8) + Array("\r\nNOOP\r\n".utf8)
        for chunk in [1, 100, input.count] {
            XCTAssertEqual(lines(input, limit: 255, chunk: chunk), [.lineTooLong, .line(Array("NOOP".utf8)[...])], "chunk \(chunk)")
        }
        var framer = LineFramer()
        for _ in 0..<1_000 {
            framer.feed([UInt8](repeating: 0x41, count: 1_000))
            _ = framer.next(limit: 255)
            XCTAssertLessThanOrEqual(framer.bufferedByteCount, 1_000)
        }
    }

    func testDiscardBufferedDropsPlaintextAfterTLS() {
        var framer = LineFramer()
        framer.feed(Array("STLS\r\nUSER injected\r\n".utf8))
        XCTAssertEqual(framer.next(limit: 255), .line(Array("STLS".utf8)[...]))
        framer.discardBuffered()
        XCTAssertNil(framer.next(limit: 255))
    }
}
