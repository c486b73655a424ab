import XCTest
@testable import IMAP

/// Every bound is a typed error, never a crash, and the parser reads the next command.
final class ParserBoundsTests: XCTestCase {
    private let noop = CommandParserEvent.command(TaggedCommand(tag: Tag("z9"), command: .noop))

    func testOverLongLine() {
        let limits = ParserLimits(maxLineLength: 1000)
        let input = bytes("a1 SELECT " + String(repeating: "x", count: 5000) + "\r\nz9 NOOP\r\n")
        for chunking in Chunking.all {
            let events = ParserDriver.events(input, chunking: chunking, limits: limits)
            XCTAssertEqual(events.count, 2, "\(chunking)")
            guard case .error(let error) = events.first else { return XCTFail("\(events)") }
            XCTAssertEqual(error.kind, .lineTooLong)
            XCTAssertEqual(error.tag, Tag("a1"))
            XCTAssertTrue(error.closesConnection)
            XCTAssertEqual(events.last, noop)
        }
    }

    /// A line just within the limit parses.
    func testLineAtTheLimit() {
        let command = "a1 SELECT " + String(repeating: "x", count: 990)
        let events = ParserDriver.events(bytes(command + "\r\n"), limits: ParserLimits(maxLineLength: command.utf8.count))
        XCTAssertEqual(events, [.command(TaggedCommand(tag: Tag("a1"), command: .select(MailboxName(String(repeating: "x", count: 990)), [])))])
    }

    /// The default limit, 64 KiB, holds with the parser's own buffer fed a megabyte of line.
    func testMegabyteLineIsNotKept() {
        var parser = CommandParser()
        parser.feed(bytes("a1 SELECT "))
        var errors = 0
        for _ in 0..<1024 {
            parser.feed([UInt8](repeating: UInt8(ascii: "x"), count: 1024))
            while let event = parser.next() {
                if case .error(let error) = event, error.kind == .lineTooLong { errors += 1 }
            }
            XCTAssertEqual(parser.bufferedByteCount, 0)
        }
        parser.feed(bytes("\r\nz9 NOOP\r\n"))
        XCTAssertEqual(parser.next(), noop)
        XCTAssertEqual(errors, 1)
    }

    func testHugeSynchronizingLiteralIsRefusedWithoutWaiting() {
        let events = ParserDriver.events(bytes("a1 APPEND box {18446744073709551615}\r\nz9 NOOP\r\n"))
        XCTAssertEqual(events.count, 2, "\(events)")
        guard case .error(let error) = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(error.kind, .literalTooLarge(size: 18_446_744_073_709_551_615, nonSynchronizing: false))
        XCTAssertFalse(error.closesConnection)
        XCTAssertEqual(events.last, noop)
    }

    /// A non-synchronizing literal over the limit still arrives: it is skipped, not kept.
    func testOversizedNonSynchronizingLiteralIsSkipped() {
        let limits = ParserLimits(maxLiteralSize: 100)
        let literal = String(repeating: "a2 LOGOUT\r\n", count: 20)  // 220 bytes that look like commands
        let input = bytes("a1 LOGIN {220+}\r\n" + literal + " {3+}\r\nabc\r\nz9 NOOP\r\n")
        for chunking in Chunking.all {
            let events = ParserDriver.events(input, chunking: chunking, limits: limits)
            XCTAssertEqual(events.count, 2, "\(chunking): \(events)")
            guard case .error(let error) = events.first else { return XCTFail("\(events)") }
            XCTAssertEqual(error.kind, .literalTooLarge(size: 220, nonSynchronizing: true))
            XCTAssertTrue(error.closesConnection)
            XCTAssertEqual(events.last, noop)
        }
    }

    /// RFC 7888: LITERAL- allows at most 4096 bytes.
    func testLiteralMinusOver4096() {
        let input = bytes("a1 LOGIN u {4097-}\r\n" + String(repeating: "p", count: 4097) + "\r\nz9 NOOP\r\n")
        let events = ParserDriver.events(input)
        guard events.count == 2, case .error(let error) = events[0] else { return XCTFail("\(events)") }
        XCTAssertEqual(error.kind, .literalTooLarge(size: 4097, nonSynchronizing: true))
        XCTAssertEqual(events[1], noop)
    }

    /// The literals of one command together stay within `maxCommandSize` (APPEND's messages
    /// stream, so only `maxLiteralSize` bounds each of them).
    func testLiteralsOverTheCommandSize() {
        let limits = ParserLimits(maxLiteralSize: 10, maxCommandSize: 15)
        let events = ParserDriver.events(bytes("a1 LOGIN {10}\r\n0123456789 {10}\r\nz9 NOOP\r\n"), limits: limits)
        XCTAssertEqual(events.count, 3, "\(events)")
        guard case .error(let error) = events[1] else { return XCTFail("\(events)") }
        XCTAssertEqual(error.kind, .literalTooLarge(size: 10, nonSynchronizing: false))
        XCTAssertEqual(events[2], noop)
    }

    func testThousandDeepParentheses() {
        let input = bytes("a1 SEARCH " + String(repeating: "(", count: 1000) + "ALL" + String(repeating: ")", count: 1000) + "\r\nz9 NOOP\r\n")
        let events = ParserDriver.events(input)
        guard events.count == 2, case .error(let error) = events[0] else { return XCTFail("\(events)") }
        XCTAssertEqual(error.kind, .nestingTooDeep)
        XCTAssertEqual(error.tag, Tag("a1"))
        XCTAssertEqual(events[1], noop)
    }

    /// NOT and OR recurse without parentheses: they count as nesting too.
    func testDeepNotAndOrChains() {
        for key in ["NOT ", "OR ALL "] {
            let input = bytes("a1 SEARCH " + String(repeating: key, count: 100_000) + "ALL\r\nz9 NOOP\r\n")
            let events = ParserDriver.events(input, limits: ParserLimits(maxLineLength: 1 << 20))
            guard events.count == 2, case .error(let error) = events[0] else { return XCTFail("\(events)") }
            XCTAssertEqual(error.kind, .nestingTooDeep, key)
            XCTAssertEqual(events[1], noop)
        }
    }

    func testNestingAtTheLimitParses() {
        let input = bytes("a1 SEARCH " + String(repeating: "(", count: 100) + "ALL" + String(repeating: ")", count: 100) + "\r\n")
        XCTAssertEqual(ParserDriver.events(input), [.command(TaggedCommand(tag: Tag("a1"), command: .search(SearchCommand(key: .all))))])
    }

    /// 100,000 ranges: over the default line length; with a larger line, over the item bound.
    func testHundredThousandItemSequenceSet() {
        let set = (1...100_000).map { String($0 * 2) }.joined(separator: ",")
        let input = bytes("a1 FETCH " + set + " UID\r\nz9 NOOP\r\n")
        let cases: [(ParserLimits, CommandParseError.Kind)] = [
            (ParserLimits(), .lineTooLong), (ParserLimits(maxLineLength: 1 << 20), .tooManyItems),
        ]
        for (limits, kind) in cases {
            let events = ParserDriver.events(input, limits: limits)
            guard events.count == 2, case .error(let error) = events[0] else { return XCTFail("\(events)") }
            XCTAssertEqual(error.kind, kind)
            XCTAssertEqual(events[1], noop)
        }
    }

    func testTooManyFlags() {
        let flags = (0..<20).map { "k\($0)" }.joined(separator: " ")
        let events = ParserDriver.events(bytes("a1 STORE 1 +FLAGS (\(flags))\r\nz9 NOOP\r\n"), limits: ParserLimits(maxListItems: 10))
        guard events.count == 2, case .error(let error) = events[0] else { return XCTFail("\(events)") }
        XCTAssertEqual(error.kind, .tooManyItems)
    }
}
