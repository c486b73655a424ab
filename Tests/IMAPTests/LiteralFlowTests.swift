import XCTest
@testable import IMAP

/// The synchronizing-literal dialogue: the parser stops at the announcement until the server
/// decides, and a refused literal leaves the parser at the next command.
final class LiteralFlowTests: XCTestCase {
    func testSynchronizingLiteralWaitsForTheServer() throws {
        var parser = CommandParser()
        parser.feed(bytes("a1 APPEND box (\\Seen) {11}\r\n"))
        XCTAssertEqual(
            parser.next(), .literalRequested(LiteralRequest(tag: Tag("a1"), commandName: "APPEND", size: 11, isBinary: false)))
        XCTAssertNil(parser.next())
        XCTAssertTrue(parser.isAwaitingLiteralDecision)
        try parser.acceptLiteral()
        parser.feed(bytes("Hello"))
        XCTAssertNil(parser.next())
        parser.feed(bytes(" world\r\n"))
        XCTAssertEqual(
            parser.next(),
            .command(TaggedCommand(tag: Tag("a1"), command: .append(MailboxName("box"), [AppendMessage(flags: [.seen], data: bytes("Hello world"))]))))
        XCTAssertNil(parser.next())
        XCTAssertEqual(parser.bufferedByteCount, 0)
    }

    func testRefusedLiteralDropsTheCommand() throws {
        var parser = CommandParser()
        parser.feed(bytes("a1 APPEND box ~{99999}\r\n"))
        XCTAssertEqual(
            parser.next(), .literalRequested(LiteralRequest(tag: Tag("a1"), commandName: "APPEND", size: 99999, isBinary: true)))
        try parser.refuseLiteral()
        parser.feed(bytes("a2 NOOP\r\n"))
        XCTAssertEqual(parser.next(), .command(TaggedCommand(tag: Tag("a2"), command: .noop)))
    }

    func testDecisionWithoutRequestIsAStateError() {
        var parser = CommandParser()
        XCTAssertThrowsError(try parser.acceptLiteral())
        XCTAssertThrowsError(try parser.refuseLiteral())
    }

    /// LITERAL+ and LITERAL- need no continuation; a second literal in the same command is
    /// requested separately.
    func testNonSynchronizingLiteralsAndSeveralLiterals() throws {
        let events = ParserDriver.events(bytes("a1 LOGIN {4+}\r\nuser {4}\r\npass\r\n"))
        XCTAssertEqual(
            events,
            [.literalRequested(LiteralRequest(tag: Tag("a1"), commandName: "LOGIN", size: 4, isBinary: false)),
             .command(TaggedCommand(tag: Tag("a1"), command: .login(username: bytes("user"), password: bytes("pass"))))])
    }

    /// A literal whose bytes look like a command line or a literal marker is data.
    func testLiteralBytesAreNeverParsed() {
        let password = "x\r\na2 LOGOUT\r\n{5}\r\n\""
        let events = ParserDriver.commandEvents(bytes("a1 LOGIN u {\(password.utf8.count)+}\r\n\(password)\r\n"))
        XCTAssertEqual(events, [.command(TaggedCommand(tag: Tag("a1"), command: .login(username: bytes("u"), password: bytes(password))))])
    }

    /// MULTIAPPEND with CATENATE is refused with a message naming CATENATE.
    func testCatenateIsNotSupported() {
        let events = ParserDriver.events(bytes("a1 APPEND box CATENATE (TEXT {3+}\r\nabc)\r\n"))
        guard events.count == 1, case .error(let error) = events[0] else { return XCTFail("\(events)") }
        XCTAssertEqual(error.message, "CATENATE is not supported")
    }

    /// A synchronizing literal of a command that is already wrong is not asked for: the
    /// client gets its BAD instead of `+`, and its next line is a command.
    func testNoContinuationForADoomedCommand() {
        let cases: [(String, Tag?, CommandParseError.Kind)] = [
            ("+bad LOGIN {5}", nil, .syntax), ("a1 XYZZY {5}", Tag("a1"), .unknownCommand("XYZZY")),
            ("a1 {5}", Tag("a1"), .syntax),
        ]
        for (line, tag, kind) in cases {
            let events = ParserDriver.events(bytes(line + "\r\nz9 NOOP\r\n"))
            XCTAssertEqual(
                events,
                [.error(CommandParseError(tag: tag, kind: kind, message: kind == .syntax && tag == nil ? "Missing tag" : "Unknown command")),
                 .command(TaggedCommand(tag: Tag("z9"), command: .noop))],
                line)
        }
    }

    /// Every name in the table that gates literal requests is one the grammar knows.
    func testCommandNameTableMatchesTheGrammar() {
        for name in GrammarParser.commandNames {
            let events = ParserDriver.events(bytes("a1 \(name) \u{1}\r\n"))
            guard case .error(let error) = events.first else { continue }
            XCTAssertNotEqual(error.kind, .unknownCommand(name), name)
        }
        guard case .error(let error) = ParserDriver.events(bytes("a1 NOTACOMMAND \u{1}\r\n")).first else { return XCTFail() }
        XCTAssertEqual(error.kind, .unknownCommand("NOTACOMMAND"))
    }
}
