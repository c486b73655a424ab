import XCTest
@testable import IMAP

/// IDLE's DONE and the AUTHENTICATE continuation lines.
final class SpecialLineTests: XCTestCase {
    func testIdleDone() {
        for chunking in Chunking.all {
            var parser = CommandParser()
            var events: [CommandParserEvent] = []
            for chunk in chunking.chunks(of: bytes("a1 IDLE\r\ndone\r\na2 NOOP\r\n")) {
                parser.feed(chunk)
                // As a server does: the mode changes right after the IDLE command, before the next event.
                while let event = parser.next() {
                    events.append(event)
                    if case .command(let command) = event, command.command == .idle { parser.expectIdleDone() }
                }
            }
            XCTAssertEqual(
                events,
                [.command(TaggedCommand(tag: Tag("a1"), command: .idle)), .idleDone, .command(TaggedCommand(tag: Tag("a2"), command: .noop))],
                "\(chunking)")
        }
    }

    /// Anything but DONE during IDLE is an error (Dovecot answers `BAD Expected DONE`), and
    /// the parser is back in command mode.
    func testIdleWithoutDone() {
        var parser = CommandParser()
        parser.expectIdleDone()
        parser.feed(bytes("a2 NOOP\r\na3 NOOP\r\n"))
        guard case .error(let error) = parser.next() else { return XCTFail() }
        XCTAssertEqual(error.message, "Expected DONE")
        XCTAssertEqual(parser.next(), .command(TaggedCommand(tag: Tag("a3"), command: .noop)))
    }

    func testAuthenticationLines() throws {
        XCTAssertEqual(try CommandParser.parseAuthenticationLine(bytes("*")[...]), .cancel)
        XCTAssertEqual(try CommandParser.parseAuthenticationLine([][...]), .data([]))
        XCTAssertEqual(try CommandParser.parseAuthenticationLine(bytes("AHVzZXIAcGFzcw==")[...]), .data(bytes("\0user\0pass")))
        XCTAssertEqual(try CommandParser.parseAuthenticationLine(bytes("YQ==")[...]), .data(bytes("a")))
        XCTAssertEqual(try CommandParser.parseAuthenticationLine(bytes("YWI=")[...]), .data(bytes("ab")))
        for bad in ["YQ=", "Y===", "YQ==YQ==", "a b=", "YQ=a", "****"] {
            XCTAssertThrowsError(try CommandParser.parseAuthenticationLine(bytes(bad)[...]), bad)
        }
    }

    func testAuthenticationExchange() {
        var parser = CommandParser()
        parser.feed(bytes("a1 AUTHENTICATE PLAIN\r\nAHVzZXIAcGFzcw==\r\na2 NOOP\r\n"))
        XCTAssertEqual(parser.next(), .command(TaggedCommand(tag: Tag("a1"), command: .authenticate(mechanism: "PLAIN", initialResponse: nil))))
        parser.expectAuthenticationResponse()
        XCTAssertEqual(parser.next(), .authenticationResponse(.data(bytes("\0user\0pass"))))
        XCTAssertEqual(parser.next(), .command(TaggedCommand(tag: Tag("a2"), command: .noop)))
    }

    func testAuthenticationLineTooLong() {
        var parser = CommandParser(limits: ParserLimits(maxLineLength: 8))
        parser.expectAuthenticationResponse()
        parser.feed(bytes("AAAAAAAAAAAAAAAA\r\na2 NOOP\r\n"))
        guard case .error(let error) = parser.next() else { return XCTFail() }
        XCTAssertEqual(error.kind, .lineTooLong)
        XCTAssertEqual(parser.lineMode, .command)
        XCTAssertEqual(parser.next(), .command(TaggedCommand(tag: Tag("a2"), command: .noop)))
    }

    /// Plaintext pipelined behind STARTTLS (CVE-2011-0411) is dropped, half-read commands too.
    func testDiscardAfterStartTLS() {
        var parser = CommandParser()
        parser.feed(bytes("a1 STARTTLS\r\na2 LOGIN user {5}\r\n"))
        XCTAssertEqual(parser.next(), .command(TaggedCommand(tag: Tag("a1"), command: .startTLS)))
        XCTAssertGreaterThan(parser.bufferedByteCount, 0)
        parser.discardBufferedInput()
        XCTAssertEqual(parser.bufferedByteCount, 0)
        parser.feed(bytes("a3 NOOP\r\n"))
        XCTAssertEqual(parser.next(), .command(TaggedCommand(tag: Tag("a3"), command: .noop)))
    }
}
