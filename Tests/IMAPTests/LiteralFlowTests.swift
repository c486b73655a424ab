import XCTest
@testable import IMAP

/// The synchronizing-literal dialogue: the parser stops at the announcement until the server
/// decides, and a refused literal leaves the parser at the next command.
final class LiteralFlowTests: XCTestCase {
    func testSynchronizingLiteralWaitsForTheServer() throws {
        var parser = CommandParser()
        parser.feed(bytes("a1 LOGIN {4}\r\n"))
        XCTAssertEqual(parser.next(), .literalRequested(LiteralRequest(tag: Tag("a1"), commandName: "LOGIN", size: 4, isBinary: false)))
        XCTAssertNil(parser.next())
        XCTAssertTrue(parser.isAwaitingLiteralDecision)
        parser.feed(bytes("us"))
        XCTAssertNil(parser.next(), "nothing is read before the decision")
        try parser.acceptLiteral()
        parser.feed(bytes("er pass\r\n"))
        XCTAssertEqual(parser.next(), .command(TaggedCommand(tag: Tag("a1"), command: .login(username: bytes("user"), password: bytes("pass")))))
        XCTAssertNil(parser.next())
        XCTAssertEqual(parser.bufferedByteCount, 0)
    }

    /// The APPEND dialogue: the mailbox comes before the continuation, so the server can
    /// refuse a missing one with `NO [TRYCREATE]`; the message streams as it arrives.
    func testAppendStreamsItsMessage() throws {
        var parser = CommandParser()
        parser.feed(bytes("a1 APPEND box (\\Seen) {11}\r\n"))
        XCTAssertEqual(parser.next(), .appendStarted(tag: Tag("a1"), mailbox: MailboxName("box")))
        XCTAssertEqual(parser.next(), .appendMessageStarted(AppendMessageStart(flags: [.seen], size: 11)))
        XCTAssertEqual(parser.next(), .literalRequested(LiteralRequest(tag: Tag("a1"), commandName: "APPEND", size: 11, isBinary: false)))
        XCTAssertNil(parser.next())
        try parser.acceptLiteral()
        parser.feed(bytes("Hello"))
        XCTAssertEqual(parser.next(), .appendMessageBytes(bytes("Hello")))
        XCTAssertNil(parser.next())
        parser.feed(bytes(" world {1+}\r\n"))
        XCTAssertEqual(parser.next(), .appendMessageBytes(bytes(" world")))
        XCTAssertEqual(parser.next(), .appendMessageFinished)
        XCTAssertEqual(parser.next(), .appendMessageStarted(AppendMessageStart(size: 1)))
        XCTAssertNil(parser.next())
        parser.feed(bytes("!\r\na2 NOOP\r\n"))
        XCTAssertEqual(parser.next(), .appendMessageBytes(bytes("!")))
        XCTAssertEqual(parser.next(), .appendMessageFinished)
        XCTAssertEqual(parser.next(), .appendFinished)
        XCTAssertEqual(parser.next(), .command(TaggedCommand(tag: Tag("a2"), command: .noop)))
    }

    /// Whatever breaks an APPEND after a message is an error with its tag: the server drops
    /// the messages it got.
    func testAppendErrorsAfterAMessage() {
        let cases: [(String, String, UInt)] = [
            ("a1 APPEND box {1+}\r\nx junk\r\n", "Unexpected text after the APPEND messages", #line),
            ("a1 APPEND box {1+}\r\nx (\\Seen\r\n", "Unexpected text after the APPEND messages", #line),
            ("a1 APPEND box {1+}\r\nx CATENATE (TEXT {1+}\r\ny)\r\n", "CATENATE is not supported", #line),
            ("a1 APPEND box {1+}\r\nx (\\Seen) NOTADATE {1+}\r\ny\r\n", "Expected a message literal", #line),
        ]
        for (input, message, line) in cases {
            for chunking in Chunking.all {
                let events = ParserDriver.commandEvents(bytes(input + "z9 NOOP\r\n"), chunking: chunking)
                XCTAssertEqual(
                    events.suffix(2),
                    [.error(CommandParseError(tag: Tag("a1"), kind: .syntax, message: message)), .command(TaggedCommand(tag: Tag("z9"), command: .noop))],
                    "\(chunking): \(events)", line: line)
                XCTAssertFalse(events.contains(.appendFinished), line: line)
            }
        }
    }

    /// A message over the limit is refused before anything streams.
    func testAppendMessageOverTheLimit() {
        let events = ParserDriver.events(bytes("a1 APPEND box {101}\r\nz9 NOOP\r\n"), limits: ParserLimits(maxLiteralSize: 100))
        XCTAssertEqual(
            events,
            [.error(CommandParseError(tag: Tag("a1"), kind: .literalTooLarge(size: 101, nonSynchronizing: false), message: "Literal too large")),
             .command(TaggedCommand(tag: Tag("z9"), command: .noop))])
    }

    /// Messages stream in bounded chunks, whatever size was fed at once.
    func testAppendChunksAreBounded() {
        let message = [UInt8](repeating: 1, count: 200_000)
        let events = ParserDriver.events(bytes("a1 APPEND box ~{200000+}\r\n") + message + bytes("\r\n"))
        let chunks = events.compactMap { event -> Int? in
            if case .appendMessageBytes(let bytes) = event { return bytes.count }
            return nil
        }
        XCTAssertEqual(chunks, [65536, 65536, 65536, 3392])
        XCTAssertEqual(events.last, .appendFinished)
    }

    func testRefusedLiteralDropsTheCommand() throws {
        var parser = CommandParser()
        parser.feed(bytes("a1 APPEND box ~{99999}\r\n"))
        XCTAssertEqual(parser.next(), .appendStarted(tag: Tag("a1"), mailbox: MailboxName("box")))
        XCTAssertEqual(parser.next(), .appendMessageStarted(AppendMessageStart(size: 99999, isBinary: true)))
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

    /// APPEND with CATENATE is refused with a message naming CATENATE, with or without a literal.
    func testCatenateIsNotSupported() {
        for input in ["a1 APPEND box CATENATE (TEXT {3+}\r\nabc)\r\n", "a1 APPEND box CATENATE (URL \"/x\")\r\n"] {
            let events = ParserDriver.events(bytes(input))
            guard events.count == 1, case .error(let error) = events[0] else { return XCTFail("\(events)") }
            XCTAssertEqual(error.message, "CATENATE is not supported")
        }
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
