import XCTest
@testable import IMAP

/// Input cost stays linear: a large literal fed one byte at a time and a stream of pipelined
/// commands finish within bounds a quadratic rescan of the buffer could never meet.
final class ParserThroughputTests: XCTestCase {
    private func seconds(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let elapsed = clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    func testMegabyteLiteralByteAtATime() {
        let message = [UInt8](repeating: UInt8(ascii: "m"), count: 1 << 20)
        var parser = CommandParser()
        var received: [UInt8] = []
        var finished = false
        let elapsed = seconds {
            parser.feed(bytes("a1 APPEND box {\(message.count)+}\r\n"))
            func drain() {
                while let event = parser.next() {
                    if case .appendMessageBytes(let bytes) = event { received += bytes }
                    if event == .appendFinished { finished = true }
                }
            }
            for byte in message {
                parser.feed(CollectionOfOne(byte))
                drain()
            }
            parser.feed(bytes("\r\n"))
            drain()
        }
        XCTAssertEqual(received, message)
        XCTAssertTrue(finished)
        XCTAssertLessThan(elapsed, 20)
        print("1 MiB literal, one byte per feed: \(elapsed) s")
    }

    func testPipelinedCommands() {
        let line = bytes("a1 UID FETCH 1:*,4,7:9 (FLAGS UID BODY.PEEK[HEADER.FIELDS (From Subject Date)]<0.2048>) (CHANGEDSINCE 42)\r\n")
        let count = 20_000
        let input = Array([[UInt8]](repeating: line, count: count).joined())
        var parser = CommandParser()
        var commands = 0
        let elapsed = seconds {
            var start = 0
            while start < input.count {
                parser.feed(input[start..<min(input.count, start + 16_384)])
                start += 16_384
                while case .command = parser.next() { commands += 1 }
            }
        }
        XCTAssertEqual(commands, count)
        XCTAssertLessThan(elapsed, 20)
        print("\(count) FETCH commands (\(input.count) bytes) in 16 KiB reads: \(elapsed) s")
    }
}
