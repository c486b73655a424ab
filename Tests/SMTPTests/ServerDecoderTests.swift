import XCTest
@testable import SMTP

/// SMTPInboundDecoder: bytes in, events out.
final class ServerDecoderTests: XCTestCase {
    typealias Event = SMTPInboundDecoder.Event

    private func b(_ s: String) -> [UInt8] { Array(s.utf8) }
    private func line(_ s: String) -> Event { .line(Array(s.utf8)) }

    /// Drains every event, switching to data mode after a `DATA` line as the session would.
    private func drain(_ d: inout SMTPInboundDecoder, into events: inout [Event]) {
        var guardCount = 0
        while let e = d.next() {
            events.append(e)
            if case .line(let l) = e, String(decoding: l, as: UTF8.self).uppercased() == "DATA" { d.beginData() }
            guardCount += 1
            if guardCount > 100_000 { XCTFail("decoder does not stop yielding events"); return }
        }
    }

    private func events(_ chunks: [[UInt8]], maxLine: Int = 2048, maxMessage: Int = 1 << 20) -> [Event] {
        var d = SMTPInboundDecoder(maxLineLength: maxLine, maxMessageSize: maxMessage)
        var out: [Event] = []
        for c in chunks {
            d.feed(c)
            drain(&d, into: &out)
        }
        return out
    }

    // MARK: command lines

    func testLinesWithCRLFAndBareLF() {
        XCTAssertEqual(events([b("EHLO a\r\nNOOP\nRSET\r\n\r\n")]), [line("EHLO a"), line("NOOP"), line("RSET"), line("")])
    }

    func testCRInsideLineIsKept() {
        XCTAssertEqual(events([b("A\rB\r\n")]), [.line([0x41, 0x0D, 0x42])])
    }

    func testIncompleteLineWaits() {
        var d = SMTPInboundDecoder(maxMessageSize: 100)
        d.feed(b("NOO"))
        XCTAssertNil(d.next())
        XCTAssertNil(d.next())
        d.feed(b("P\r"))
        XCTAssertNil(d.next())
        d.feed(b("\n"))
        XCTAssertEqual(d.next(), line("NOOP"))
        XCTAssertNil(d.next())
        XCTAssertEqual(d.bufferedByteCount, 0)
    }

    func testLineSplitAcrossFeeds() {
        XCTAssertEqual(events([b("MAIL FR"), b("OM:<a@b.c>"), b("\r"), b("\nRC"), b("PT TO:<x@y.z>\r\n")]),
                       [line("MAIL FROM:<a@b.c>"), line("RCPT TO:<x@y.z>")])
    }

    func testOneEventPerNextCall() {
        var d = SMTPInboundDecoder(maxMessageSize: 100)
        d.feed(b("A\r\nB\r\n"))
        XCTAssertEqual(d.next(), line("A"))
        XCTAssertEqual(d.next(), line("B"))
        XCTAssertNil(d.next())
    }

    func testDiscardBuffered() {
        var d = SMTPInboundDecoder(maxMessageSize: 100)
        d.feed(b("STARTTLS\r\nEHLO x\r\n"))
        XCTAssertEqual(d.next(), line("STARTTLS"))
        XCTAssertEqual(d.bufferedByteCount, 8)
        d.discardBuffered()
        XCTAssertNil(d.next())
        d.feed(b("NOOP\r\n"))
        XCTAssertEqual(d.next(), line("NOOP"))
    }

    // MARK: over-long lines

    func testOverlongLineInOneFeedReportedOnceThenNextLineParsed() {
        let long = String(repeating: "x", count: 50)
        XCTAssertEqual(events([b(long + "\r\nNOOP\r\n")], maxLine: 20), [.lineTooLong, line("NOOP")])
    }

    func testOverlongLineAcrossManyFeedsReportedOnce() {
        var chunks = Array(repeating: b(String(repeating: "y", count: 7)), count: 40)
        chunks.append(b("\r\nQUIT\r\n"))
        XCTAssertEqual(events(chunks, maxLine: 20), [.lineTooLong, line("QUIT")])
    }

    func testOverlongLineByteByByteReportedOnce() {
        let text = String(repeating: "z", count: 100) + "\r\nNOOP\r\n"
        XCTAssertEqual(events(b(text).map { [$0] }, maxLine: 20), [.lineTooLong, line("NOOP")])
    }

    func testOverlongLineBufferStaysBounded() {
        var d = SMTPInboundDecoder(maxLineLength: 100, maxMessageSize: 100)
        var out: [Event] = []
        for _ in 0..<1000 {
            d.feed(Array(repeating: UInt8(ascii: "a"), count: 64))
            drain(&d, into: &out)
            XCTAssertLessThanOrEqual(d.bufferedByteCount, 100 + 64)
        }
        XCTAssertEqual(out, [.lineTooLong])
        d.feed(b("\nNOOP\n"))
        drain(&d, into: &out)
        XCTAssertEqual(out, [.lineTooLong, line("NOOP")])
    }

    func testLineOfExactlyMaxLengthIsAccepted() {
        let exact = String(repeating: "e", count: 20)
        XCTAssertEqual(events([b(exact + "\r\n")], maxLine: 20), [line(exact)])
        XCTAssertEqual(events([b(exact + "\n")], maxLine: 20), [line(exact)])
        XCTAssertEqual(events([b(exact + "x\r\n")], maxLine: 20), [.lineTooLong])
    }

    /// A line of exactly the maximum length whose CR arrives before its LF (split between
    /// CR and LF across two reads) must not count the CR as part of the line.
    func testLineOfExactlyMaxLengthWithCRAndLFInSeparateFeeds() {
        let exact = String(repeating: "e", count: 20)
        XCTAssertEqual(events([b(exact + "\r"), b("\n")], maxLine: 20), [line(exact)])
    }

    // MARK: data mode

    private func dataEvents(_ chunks: [[UInt8]], maxMessage: Int = 1 << 20) -> [Event] {
        events([b("DATA\r\n")] + chunks, maxMessage: maxMessage)
    }

    func testMessageWithCRLFEndMarker() {
        let msg = "Subject: a\r\n\r\nbody\r\n"
        XCTAssertEqual(dataEvents([b(msg + ".\r\nQUIT\r\n")]),
                       [line("DATA"), .message(bytes: b(msg), size: msg.utf8.count), line("QUIT")])
    }

    /// Lines ending in bare LF are stored ending in CR LF (Postfix 3.9 `smtpd_forbid_bare_newline
    /// = normalize`), and only `<CR><LF>.<CR><LF>` ends the message.
    func testBareLFLinesAreNormalisedAndOnlyCRLFDotCRLFEnds() {
        let stored = "Subject: a\r\n\r\nbody\r\n\r\nQUIT\r\n\r\nNOOP\r\n"
        XCTAssertEqual(dataEvents([b("Subject: a\n\nbody\n.\r\nQUIT\n.\nNOOP\r\n.\r\nRSET\r\n")]),
                       [line("DATA"), .message(bytes: b(stored), size: stored.utf8.count), line("RSET")])
    }

    /// A CR not followed by LF becomes a space (Postfix 3.9 `cleanup_replace_stray_cr_lf`),
    /// also when the CR arrives last in one read and its successor in the next.
    func testStrayCRBecomesASpace() {
        XCTAssertEqual(dataEvents([b("a\rb\r\r\n.\r\n")]), [line("DATA"), .message(bytes: b("a b \r\n"), size: 6)])
        XCTAssertEqual(dataEvents([b("a\r"), b("b\r\n.\r\n")]), [line("DATA"), .message(bytes: b("a b\r\n"), size: 5)])
        XCTAssertEqual(dataEvents([b("a\r"), b("\n.\r"), b("\n")]), [line("DATA"), .message(bytes: b("a\r\n"), size: 3)])
        XCTAssertEqual(dataEvents([b("\r"), b("\r"), b("\n.\r\n")]), [line("DATA"), .message(bytes: b(" \r\n"), size: 3)])
    }

    /// SMTP smuggling (CVE-2023-51764): every end-of-data a lenient server might honour,
    /// each followed by a second, smuggled transaction. Only the real `<CR><LF>.<CR><LF>`
    /// after it ends the one message, which holds the smuggled text as content, with no
    /// bare CR or LF left that could end it at the next hop. At once and byte by byte.
    func testEveryNonStandardEndOfDataIsContent() {
        let variants = ["\n.\n", "\r\n.\n", "\n.\r\n", "\r.\r", "\r.\r\n", "\r\n.\r", "\n.\r", "\r.\n",
                        "\r\n.\r\r\n", "\r\n\r.\r\n", "\n\n.\n\n"]
        let smuggled = "MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\n"
            + "Subject: smuggled\r\n\r\nforged\r\n"
        for variant in variants {
            let wire = "Subject: first\r\n\r\nhello" + variant + smuggled + ".\r\nQUIT\r\n"
            for chunks in [[b(wire)], b(wire).map { [$0] }] {
                let got = dataEvents(chunks)
                let name = variant.debugDescription
                XCTAssertEqual(got.count, 3, "\(name): \(got)")
                XCTAssertEqual(got.last, line("QUIT"), name)
                guard case .message(let bytes?, _) = got.dropFirst().first else { XCTFail("\(name): no message"); continue }
                let text = String(decoding: bytes, as: UTF8.self)
                XCTAssertTrue(text.hasPrefix("Subject: first\r\n\r\nhello"), name)
                XCTAssertTrue(text.contains("MAIL FROM:<evil@attacker.example>\r\n"), "\(name): \(text.debugDescription)")
                XCTAssertTrue(text.hasSuffix("forged\r\n"), name)
                for (i, byte) in bytes.enumerated() {
                    if byte == 0x0D { XCTAssertEqual(bytes[safe: i + 1], 0x0A, "\(name): bare CR at \(i)") }
                    if byte == 0x0A { XCTAssertEqual(bytes[safe: i - 1], 0x0D, "\(name): bare LF at \(i)") }
                }
            }
        }
    }

    func testEmptyMessage() {
        XCTAssertEqual(dataEvents([b(".\r\n")]), [line("DATA"), .message(bytes: [], size: 0)])
    }

    func testDotUnstuffing() {
        let wire = "..x\r\n...\r\n. leading\r\nmid.dle\r\n..\r\n.\r\n"
        let expected = ".x\r\n..\r\n leading\r\nmid.dle\r\n.\r\n"
        XCTAssertEqual(dataEvents([b(wire)]), [line("DATA"), .message(bytes: b(expected), size: expected.utf8.count)])
    }

    func testDotNotAtLineStartIsNotAnEndMarker() {
        let wire = "a.\r\n x.\r\n.\r\n"
        XCTAssertEqual(dataEvents([b(wire)]), [line("DATA"), .message(bytes: b("a.\r\n x.\r\n"), size: 9)])
    }

    func testDotCRNotFollowedByLFIsContent() {
        let wire = ".\rX\r\n.\r\n"
        XCTAssertEqual(dataEvents([b(wire)]), [line("DATA"), .message(bytes: b(" X\r\n"), size: 4)])
    }

    func testEndMarkerSplitAcrossFeeds() {
        // `.` then CR then LF, each in its own read, right at a line start.
        XCTAssertEqual(dataEvents([b("hi\r\n"), b("."), b("\r"), b("\n"), b("NOOP\r\n")]),
                       [line("DATA"), .message(bytes: b("hi\r\n"), size: 4), line("NOOP")])
        XCTAssertEqual(dataEvents([b("hi\r\n."), b("\r\nNOOP\r\n")]),
                       [line("DATA"), .message(bytes: b("hi\r\n"), size: 4), line("NOOP")])
        XCTAssertEqual(dataEvents([b("hi\r\n.\r"), b("\nNOOP\r\n")]),
                       [line("DATA"), .message(bytes: b("hi\r\n"), size: 4), line("NOOP")])
        XCTAssertEqual(dataEvents([b("hi\r\n."), b("\r"), b("\nNOOP\n")]),
                       [line("DATA"), .message(bytes: b("hi\r\n"), size: 4), line("NOOP")])
    }

    func testStuffedDotSplitAcrossFeeds() {
        XCTAssertEqual(dataEvents([b("."), b(".x\r\n"), b("."), b("\r"), b("z\r\n.\r\n")]),
                       [line("DATA"), .message(bytes: b(".x\r\n z\r\n"), size: 8)])
    }

    func testPipelinedMessageRightBehindDATA() {
        let all = "EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nhello\r\n.\r\nQUIT\r\n"
        XCTAssertEqual(events([b(all)]), [line("EHLO x"), line("MAIL FROM:<a@b.c>"), line("RCPT TO:<d@e.f>"),
                                         line("DATA"), .message(bytes: b("hello\r\n"), size: 7), line("QUIT")])
    }

    func testLongMessageLinesAreNotLimited() {
        let long = String(repeating: "m", count: 10_000) + "\r\n"
        XCTAssertEqual(events([b("DATA\r\n" + long + ".\r\n")], maxLine: 100),
                       [line("DATA"), .message(bytes: b(long), size: long.utf8.count)])
    }

    func testMessageOverLimitThenDecoderUsable() {
        let body = String(repeating: "0123456789\r\n", count: 20) // 240 bytes
        let got = events([b("DATA\r\n"), b(body), b(".\r\nNOOP\r\nDATA\r\nsmall\r\n.\r\n")], maxMessage: 100)
        XCTAssertEqual(got, [line("DATA"), .message(bytes: nil, size: 240), line("NOOP"), line("DATA"),
                             .message(bytes: b("small\r\n"), size: 7)])
    }

    func testMessageExactlyAtLimitIsKept() {
        let body = String(repeating: "x", count: 98) + "\r\n"
        XCTAssertEqual(events([b("DATA\r\n" + body + ".\r\n")], maxMessage: 100),
                       [line("DATA"), .message(bytes: b(body), size: 100)])
        XCTAssertEqual(events([b("DATA\r\n" + "y" + body + ".\r\n")], maxMessage: 100),
                       [line("DATA"), .message(bytes: nil, size: 101)])
    }

    func testUnlimitedMessageSize() {
        let body = String(repeating: "0123456789\r\n", count: 100)
        XCTAssertEqual(events([b("DATA\r\n" + body + ".\r\n")], maxMessage: 0),
                       [line("DATA"), .message(bytes: b(body), size: body.utf8.count)])
    }

    func testDataModeBufferStaysSmall() {
        var d = SMTPInboundDecoder(maxMessageSize: 1000)
        d.beginData()
        for _ in 0..<500 {
            d.feed(b("line of text\r\n"))
            XCTAssertNil(d.next())
            XCTAssertLessThanOrEqual(d.bufferedByteCount, 2)
        }
        d.feed(b(".\r\n"))
        guard case .message(let bytes, let size)? = d.next() else { return XCTFail("no message") }
        XCTAssertNil(bytes)
        XCTAssertEqual(size, 500 * 14)
    }

    // MARK: feeding patterns

    private let session = "EHLO client.example\r\nXFORWARD NAME=a ADDR=1.2.3.4\r\nMAIL FROM:<s@example.org>\r\n"
        + "RCPT TO:<r@example.com>\nRCPT TO:<q@example.com>\r\nDATA\r\nSubject: t\r\n\r\n..stuffed\r\n"
        + "line\n.\r\nmore\r\n.\r\nNOOP\r\nMAIL FROM:<>\r\nRCPT TO:<r@example.com>\r\nDATA\r\n.\r\nQUIT\r\n"

    func testByteByByteEqualsAllAtOnce() {
        let bytes = b(session)
        let whole = events([bytes])
        XCTAssertEqual(whole.count, 13)
        let expected = "Subject: t\r\n\r\n.stuffed\r\nline\r\n\r\nmore\r\n"
        XCTAssertEqual(whole[6], .message(bytes: b(expected), size: expected.utf8.count))
        XCTAssertEqual(whole[11], .message(bytes: [], size: 0))
        XCTAssertEqual(events(bytes.map { [$0] }), whole)
    }

    func testEverySplitPointEqualsAllAtOnce() {
        let bytes = b(session)
        let whole = events([bytes])
        for cut in 0...bytes.count {
            XCTAssertEqual(events([Array(bytes[..<cut]), Array(bytes[cut...])]), whole, "split at \(cut)")
        }
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
