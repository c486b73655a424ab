import IMAP
import IMAPServer
import XCTest

/// BODY[section] (RFC 3501 §6.4.5). Messages and answers follow imaptest's `fetch-body`,
/// `fetch-body-mime` and `fetch-body-message-rfc822*` scripts (Dovecot's imaptest, MIT
/// licence, see Tests/IMAPTests/Fixtures/imaptest-COPYING.MIT).
final class FetchSectionTests: XCTestCase {
    private func section(_ sections: MessageSections, _ part: [Int] = [], _ kind: SectionSpecifier.Kind = .complete) -> String {
        String(decoding: sections.section(SectionSpecifier(part: part, kind: kind)), as: UTF8.self)
    }

    private static let mime = MessageSections(FetchSamples.crlf("""
        From: user@domain.org
        Date: Sat, 24 Mar 2007 23:00:00 +0200
        Mime-Version: 1.0
        Content-Type: multipart/mixed; boundary="foo
         bar"

        Root MIME prologue

        --foo bar
        Content-Type: text/x-myown; charset=us-ascii

        hello

        --foo bar
        Content-Type: message/rfc822

        From: sub@domain.org
        Date: Sun, 12 Aug 2012 12:34:56 +0300
        Subject: submsg
        Content-Type: multipart/alternative; boundary="sub1"

        Sub MIME prologue
        --sub1
        Content-Type: text/html

        <p>Hello world</p>

        --sub1
        Content-Type: text/plain

        Hello another world

        --sub1--
        Sub MIME epilogue

        --foo bar--
        Root MIME epilogue

        """))

    func testWholeHeaderAndText() {
        let sections = MessageSections(FetchSamples.crlf("From: User1 <user1@domain.org>\nDate: Sat, 24 Mar 2007 23:00:00 +0200\nSubject: s1\n\nbody1\n\n"))
        XCTAssertEqual(section(sections, [], .header), "From: User1 <user1@domain.org>\r\nDate: Sat, 24 Mar 2007 23:00:00 +0200\r\nSubject: s1\r\n\r\n")
        XCTAssertEqual(section(sections, [], .text), "body1\r\n\r\n")
        XCTAssertEqual(sections.header, sections.section(SectionSpecifier(kind: .header)))
        XCTAssertEqual(sections.text, Array("body1\r\n\r\n".utf8))
        XCTAssertEqual(sections.section(SectionSpecifier()), sections.bytes)
        // A single-part message: part 1 is its body, 1.MIME its header.
        XCTAssertEqual(section(sections, [1]), "body1\r\n\r\n")
        XCTAssertEqual(section(sections, [1], .mime), section(sections, [], .header))
    }

    /// Fields as in the message, in message order, then the blank line; `.NOT` the others.
    func testHeaderFields() {
        let sections = MessageSections(FetchSamples.crlf("From: User1 <user1@domain.org>\nDate: Sat, 24 Mar 2007\nSubject: s1\n\tfolded\n\nbody1\n"))
        let from = Array("from".utf8), subject = Array("SUBJECT".utf8), date = Array("date".utf8)
        XCTAssertEqual(section(sections, [], .headerFields([from])), "From: User1 <user1@domain.org>\r\n\r\n")
        XCTAssertEqual(section(sections, [], .headerFields([from, from])), "From: User1 <user1@domain.org>\r\n\r\n")
        XCTAssertEqual(section(sections, [], .headerFields([subject, from])), "From: User1 <user1@domain.org>\r\nSubject: s1\r\n\tfolded\r\n\r\n")
        XCTAssertEqual(section(sections, [], .headerFieldsNot([date, date])), "From: User1 <user1@domain.org>\r\nSubject: s1\r\n\tfolded\r\n\r\n")
        XCTAssertEqual(section(sections, [], .headerFields([Array("xyz".utf8)])), "\r\n")
    }

    func testPartsOfAMultipartAndAnEnclosedMessage() {
        let sections = Self.mime
        XCTAssertEqual(section(sections, [1]), "hello\r\n")
        XCTAssertEqual(section(sections, [1], .mime), "Content-Type: text/x-myown; charset=us-ascii\r\n\r\n")
        XCTAssertEqual(section(sections, [2], .mime), "Content-Type: message/rfc822\r\n\r\n")
        XCTAssertTrue(section(sections, [2]).hasPrefix("From: sub@domain.org\r\n"))
        XCTAssertTrue(section(sections, [2]).hasSuffix("--sub1--\r\nSub MIME epilogue\r\n"))
        XCTAssertEqual(section(sections, [2], .header),
                       "From: sub@domain.org\r\nDate: Sun, 12 Aug 2012 12:34:56 +0300\r\nSubject: submsg\r\nContent-Type: multipart/alternative; boundary=\"sub1\"\r\n\r\n")
        XCTAssertEqual(section(sections, [2], .headerFields([Array("from".utf8), Array("subject".utf8), Array("X-foo".utf8)])),
                       "From: sub@domain.org\r\nSubject: submsg\r\n\r\n")
        XCTAssertEqual(section(sections, [2], .headerFieldsNot([Array("from".utf8), Array("subject".utf8), Array("X-foo".utf8)])),
                       "Date: Sun, 12 Aug 2012 12:34:56 +0300\r\nContent-Type: multipart/alternative; boundary=\"sub1\"\r\n\r\n")
        XCTAssertTrue(section(sections, [2], .text).hasPrefix("Sub MIME prologue\r\n--sub1\r\n"))
        XCTAssertEqual(section(sections, [2, 1], .mime), "Content-Type: text/html\r\n\r\n")
        XCTAssertEqual(section(sections, [2, 1]), "<p>Hello world</p>\r\n")
        XCTAssertEqual(section(sections, [2, 2]), "Hello another world\r\n")
    }

    /// HEADER and TEXT of a part that is not a message, and parts that do not exist, are
    /// empty (Dovecot's answer), never an error.
    func testMissingPartsAreEmpty() {
        let sections = Self.mime
        XCTAssertEqual(section(sections, [1], .header), "")
        XCTAssertEqual(section(sections, [1], .text), "")
        XCTAssertEqual(section(sections, [3]), "")
        // Dovecot reads n.1 of a single part as the part itself.
        XCTAssertEqual(section(sections, [1, 1]), "hello\r\n")
        XCTAssertEqual(section(sections, [1, 2]), "")
        XCTAssertEqual(section(sections, [1, 1, 1]), "")
        XCTAssertEqual(section(sections, [2, 3]), "")
        XCTAssertEqual(section(sections, [0]), "")
        XCTAssertEqual(section(sections, [Int.max, 1]), "")
    }

    /// fetch-body-message-rfc822-x2: a message in a message in a message.
    func testNestedMessages() {
        let sections = MessageSections(FetchSamples.crlf("""
            From: user@domain.org
            Mime-Version: 1.0
            Content-Type: message/rfc822

            From: user2@domain.org
            Mime-Version: 1.0
            Content-Type: message/rfc822

            From: sub@domain.org
            Subject: submsg

            Hello world

            """))
        XCTAssertEqual(section(sections, [1, 1]), "From: sub@domain.org\r\nSubject: submsg\r\n\r\nHello world\r\n")
        XCTAssertEqual(section(sections, [1, 1, 1]), "Hello world\r\n")
        XCTAssertEqual(section(sections, [1], .header), "From: user2@domain.org\r\nMime-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n")
        XCTAssertEqual(section(sections, [1, 1], .header), "From: sub@domain.org\r\nSubject: submsg\r\n\r\n")
        XCTAssertEqual(section(sections, [1, 1], .text), "Hello world\r\n")
        XCTAssertEqual(section(sections, [1], .text), section(sections, [1, 1]))
    }

    /// fetch-body-message-rfc822-mime: parts of a digest are messages; n.MIME is their
    /// (possibly empty) MIME header.
    func testDigestParts() {
        let sections = MessageSections(FetchSamples.crlf("""
            Mime-Version: 1.0
            Content-Type: message/rfc822

            From: sub@domain.org
            Content-Type: multipart/digest; boundary="foo"

            prologue

            --foo 

            From: m1@example.com
            Subject: m1

            m1 body

            --foo 
            X-Mime: m2 header

            From: m2@example.com
            Subject: m2

            m2 body

            --foo--

            epilogue

            """))
        XCTAssertEqual(section(sections, [1, 1]), "From: m1@example.com\r\nSubject: m1\r\n\r\nm1 body\r\n")
        XCTAssertEqual(section(sections, [1, 1], .mime), "\r\n")
        XCTAssertEqual(section(sections, [1, 1], .header), "From: m1@example.com\r\nSubject: m1\r\n\r\n")
        XCTAssertEqual(section(sections, [1, 1], .text), "m1 body\r\n")
        XCTAssertEqual(section(sections, [1, 2], .mime), "X-Mime: m2 header\r\n\r\n")
        XCTAssertEqual(section(sections, [1, 2], .text), "m2 body\r\n")
    }

    /// IMAP literals cannot carry NUL: BODY sends it as 0x80, as Dovecot does.
    func testNULIsSentAs0x80() {
        let sections = MessageSections(Array("Subject: a".utf8) + [0] + Array("b\r\n\r\nx\0y\r\n".utf8))
        XCTAssertEqual(sections.section(SectionSpecifier(kind: .text)), Array("x".utf8) + [0x80] + Array("y\r\n".utf8))
        XCTAssertFalse(sections.section(SectionSpecifier()).contains(0))
        XCTAssertEqual(sections.rfc822, sections.section(SectionSpecifier()))
        XCTAssertEqual(sections.bytes.count, sections.section(SectionSpecifier()).count)
    }

    /// fetch-body's partial fetches: origin past the end gives nothing.
    func testPartialSlices() {
        let text = Array("body33\r\n\r\n".utf8)
        XCTAssertEqual(Partial(offset: 0, length: 1).slice(text), Array("b".utf8))
        XCTAssertEqual(Partial(offset: 5, length: 2).slice(text), Array("3\r".utf8))
        XCTAssertEqual(Partial(offset: 7, length: 1).slice(text), Array("\n".utf8))
        XCTAssertEqual(Partial(offset: 10, length: 1).slice(text), [])
    }
}
