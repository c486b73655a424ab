import IMAP
import IMAPServer
import XCTest

/// ENVELOPE cases from imaptest's `fetch-envelope` (answers Dovecot gives) and hostile
/// address headers.
final class FetchEnvelopeTests: XCTestCase {
    private func envelope(_ header: String) -> String {
        let sections = MessageSections(FetchSamples.crlf(header + "\n\nbody\n"))
        return FetchResponseTree.items(of: [.envelope(sections.envelope)])["ENVELOPE"]?.description ?? "-"
    }

    func testAllFieldsInEnvelopeOrder() {
        XCTAssertEqual(envelope("""
            Message-ID: <msg@id>
            In-Reply-To: <reply@to.id>
            Date: Thu, 15 Feb 2007 01:02:03 +0200
            Subject: subject header
            From: From Real <fromuser@fromdomain.org>
            To: To Real <touser@todomain.org>
            Cc: Cc Real <ccuser@ccdomain.org>
            Bcc: Bcc Real <bccuser@bccdomain.org>
            Sender: Sender Real <senderuser@senderdomain.org>
            Reply-To: ReplyTo Real <replytouser@replytodomain.org>
            """), """
            ("Thu, 15 Feb 2007 01:02:03 +0200" "subject header" (("From Real" NIL "fromuser" "fromdomain.org")) \
            (("Sender Real" NIL "senderuser" "senderdomain.org")) (("ReplyTo Real" NIL "replytouser" "replytodomain.org")) \
            (("To Real" NIL "touser" "todomain.org")) (("Cc Real" NIL "ccuser" "ccdomain.org")) \
            (("Bcc Real" NIL "bccuser" "bccdomain.org")) "<reply@to.id>" "<msg@id>")
            """)
    }

    /// RFC 3501: absent or empty Sender and Reply-To take From's value.
    func testSenderAndReplyToDefaultToFrom() {
        let expected = """
            ("Thu, 15 Feb 2007 01:02:03 +0200" NIL (("Real Name" NIL "user" "domain")) (("Real Name" NIL "user" "domain")) \
            (("Real Name" NIL "user" "domain")) NIL NIL NIL NIL NIL)
            """
        XCTAssertEqual(envelope("Date: Thu, 15 Feb 2007 01:02:03 +0200\nFrom: user@domain (Real Name)\nSender: \nReply-To: "), expected)
        XCTAssertEqual(envelope("Date: Thu, 15 Feb 2007 01:02:03 +0200\nFrom: user@domain (Real Name)"), expected)
    }

    /// Groups: a start marker with the group name as mailbox and NIL host, an end marker.
    func testGroupsAndEmptyGroups() {
        XCTAssertEqual(envelope("""
            From: user@domain
            To: group: g1@d1.org, g2@d2.org;, group2: g3@d3.org;
            Cc: group:;, group2: (foo) ;
            """), """
            (NIL NIL ((NIL NIL "user" "domain")) ((NIL NIL "user" "domain")) ((NIL NIL "user" "domain")) \
            ((NIL NIL "group" NIL) (NIL NIL "g1" "d1.org") (NIL NIL "g2" "d2.org") (NIL NIL NIL NIL) \
            (NIL NIL "group2" NIL) (NIL NIL "g3" "d3.org") (NIL NIL NIL NIL)) \
            ((NIL NIL "group" NIL) (NIL NIL NIL NIL) (NIL NIL "group2" NIL) (NIL NIL NIL NIL)) NIL NIL NIL)
            """)
    }

    func testSourceRoute() {
        XCTAssertEqual(envelope("From: <@route:user@domain>"), """
            (NIL NIL ((NIL "@route" "user" "domain")) ((NIL "@route" "user" "domain")) ((NIL "@route" "user" "domain")) NIL NIL NIL NIL NIL)
            """)
    }

    /// RFC 2047 words stay encoded (Dovecot sends them so); folding and tabs become one space.
    func testEncodedWordsKeptAndFoldingUnfolded() {
        XCTAssertEqual(envelope("Subject: =?utf-8?q?caf=C3=A9?=\n\tsecond  line \nFrom: =?iso-8859-1?q?J=FCrgen?= <j@x.org>"), """
            (NIL "=?utf-8?q?caf=C3=A9?= second line" (("=?iso-8859-1?q?J=FCrgen?=" NIL "j" "x.org")) \
            (("=?iso-8859-1?q?J=FCrgen?=" NIL "j" "x.org")) (("=?iso-8859-1?q?J=FCrgen?=" NIL "j" "x.org")) NIL NIL NIL NIL NIL)
            """)
    }

    /// Missing pieces are filled in so clients always get four fields.
    func testBrokenAddressesAreFilledIn() {
        XCTAssertEqual(envelope("To: Name <broken@, @nolocal.org"), """
            (NIL NIL NIL NIL NIL (("Name" NIL "broken" "SYNTAX_ERROR") (NIL NIL "MISSING_MAILBOX" "nolocal.org")) NIL NIL NIL NIL)
            """)
    }

    /// A header of thousands of addresses stays bounded.
    func testHugeAddressListIsCapped() {
        let header = "To: " + Array(repeating: "a@b.c", count: 20_000).joined(separator: ",")
        let sections = MessageSections(FetchSamples.crlf(header + "\n\nx\n"))
        XCTAssertEqual(sections.envelope.to.count, 10_000)
    }
}
