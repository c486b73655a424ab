import XCTest
@testable import IMAP

/// Malformed and unknown commands: a typed error with the tag when it could be read, and the
/// next command parses normally.
final class CommandErrorRecoveryTests: XCTestCase {
    private struct Case {
        let input: String
        let tag: String?
        let kind: CommandParseError.Kind
        let line: UInt

        init(_ input: String, tag: String?, _ kind: CommandParseError.Kind = .syntax, line: UInt = #line) {
            self.input = input
            self.tag = tag
            self.kind = kind
            self.line = line
        }
    }

    private static let cases: [Case] = [
        Case("a1 XYZZY", tag: "a1", .unknownCommand("XYZZY")),
        Case("a1 UID NOOP", tag: "a1", .unknownCommand("NOOP")),
        Case("a1", tag: "a1"),
        Case("a1 ", tag: "a1"),
        Case("+a NOOP", tag: nil),
        Case("(a) NOOP", tag: nil),
        Case("a1 NOOP extra", tag: "a1"),
        Case("a1 NOOP  ", tag: "a1"),
        Case("a1  NOOP", tag: "a1"),
        Case("a1 SELECT", tag: "a1"),
        Case("a1 SELECT \"unterminated", tag: "a1"),
        Case("a1 SELECT \"bad\\escape\"", tag: "a1"),
        Case("a1 SELECT box (UNKNOWN)", tag: "a1"),
        Case("a1 CREATE box (FOO bar)", tag: "a1"),
        Case("a1 FETCH 0 UID", tag: "a1"),
        Case("a1 FETCH 1 (UID", tag: "a1"),
        Case("a1 FETCH 1 ()", tag: "a1"),
        Case("a1 FETCH 1 BODY[HEADER.FIELDS ()]", tag: "a1"),
        Case("a1 FETCH 1 BODY[1.TEXT.MIME]", tag: "a1"),
        Case("a1 FETCH 1 BODY[]<1>", tag: "a1"),
        Case("a1 FETCH 1 BODY.PEEK", tag: "a1"),
        Case("a1 FETCH 1 NONSENSE", tag: "a1"),
        Case("a1 FETCH 4294967296 UID", tag: "a1"),
        Case("a1 FETCH 1 UID (CHANGEDSINCE 0)", tag: "a1"),
        Case("a1 FETCH 1:2: UID", tag: "a1"),
        Case("a1 STORE 1 FLAGS.LOUD (\\Seen)", tag: "a1"),
        Case("a1 SEARCH", tag: "a1"),
        Case("a1 SEARCH NOTAKEY", tag: "a1"),
        Case("a1 SEARCH OR SEEN", tag: "a1"),
        Case("a1 SEARCH (SEEN", tag: "a1"),
        Case("a1 SEARCH BEFORE 32-Jan-2020", tag: "a1"),
        Case("a1 SEARCH BEFORE 1-Foo-2020", tag: "a1"),
        Case("a1 SEARCH RETURN (PARTIAL 1:10) ALL", tag: "a1"),
        Case("a1 SORT (SIZE) ALL", tag: "a1"),
        Case("a1 SORT (COLOUR) UTF-8 ALL", tag: "a1"),
        Case("a1 THREAD SPAGHETTI UTF-8 ALL", tag: "a1"),
        Case("a1 LIST (IMAPTEST) \"\" \"\"", tag: "a1"),
        Case("a1 LIST \"\" \"\" RETURN (IMAPTEST)", tag: "a1"),
        Case("a1 APPEND box", tag: "a1"),
        Case("a1 APPEND box (\\Seen) \"1-Jan-2020 00:00:00 +0000\"", tag: "a1"),
        Case("a1 AUTHENTICATE PLAIN not*base64", tag: "a1"),
        Case("a1 LOGIN user", tag: "a1"),
        Case("a1 LOGIN {5}x pass", tag: "a1"),
        Case("a1 ENABLE", tag: "a1"),
        Case("a1 ID (\"name\")", tag: "a1"),
        Case("a1 SELECT box\0", tag: "a1"),
        Case("a1 SELECT bo\rx", tag: "a1"),
    ]

    func testEachBadCommandIsReportedAndTheNextParses() {
        for testCase in Self.cases {
            let input = bytes(testCase.input + "\r\nz9 NOOP\r\n")
            for chunking in Chunking.all {
                let events = ParserDriver.commandEvents(input, chunking: chunking)
                guard events.count == 2, case .error(let error) = events[0] else {
                    XCTFail("\(testCase.input.debugDescription) (\(chunking)): \(events)", line: testCase.line)
                    continue
                }
                XCTAssertEqual(error.tag, testCase.tag.map { Tag($0) }, testCase.input.debugDescription, line: testCase.line)
                XCTAssertEqual(error.kind, testCase.kind, testCase.input.debugDescription, line: testCase.line)
                XCTAssertFalse(error.closesConnection, line: testCase.line)
                XCTAssertEqual(events[1], .command(TaggedCommand(tag: Tag("z9"), command: .noop)), line: testCase.line)
            }
        }
    }

    /// Bytes that are not UTF-8 inside a quoted string are a syntax error, not a crash or a
    /// silently altered mailbox name.
    func testInvalidUTF8InQuotedString() {
        let input = bytes("a1 SELECT \"caf") + [0xE9] + bytes("\"\r\nz9 NOOP\r\n")
        let events = ParserDriver.commandEvents(input)
        XCTAssertEqual(events.count, 2)
        guard case .error(let error) = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(error.tag, Tag("a1"))
    }

    /// `{5}` inside a quoted string is text, not a literal announcement.
    func testLiteralMarkerInsideQuotesIsNotALiteral() {
        let events = ParserDriver.events(bytes("a1 SELECT \"x {5}\r\nz9 NOOP\r\n"))
        XCTAssertEqual(events.count, 2, "\(events)")
        guard case .error(let error) = events.first else { return XCTFail("\(events)") }
        XCTAssertEqual(error.tag, Tag("a1"))
        XCTAssertEqual(events.last, .command(TaggedCommand(tag: Tag("z9"), command: .noop)))
    }

    /// A `{5}` in the middle of a line is not a literal: the grammar refuses to take the five
    /// bytes after it as one.
    func testLiteralSyntaxMidLineIsNotALiteral() {
        let events = ParserDriver.events(bytes("a1 LOGIN {4}user pass\r\n"))
        guard events.count == 1, case .error(let error) = events[0] else { return XCTFail("\(events)") }
        XCTAssertEqual(error.kind, .syntax)
    }
}
