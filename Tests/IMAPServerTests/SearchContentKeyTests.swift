import Foundation
import IMAP
import Mailstore
import XCTest
@testable import IMAPServer

/// Keys that read the message: header and address keys, BODY/TEXT over decoded parts,
/// SENT* dates, with Dovecot's decoding and `i;unicode-casemap` matching.
final class SearchContentKeyTests: XCTestCase {
    /// Encoded-words are decoded before matching, and case folding is Unicode's: `CAFÉ`
    /// finds `café` written as `=?iso-8859-1?q?caf=E9?=`.
    func testSubjectIsDecodedAndCaseFolded() throws {
        let mailbox = SearchTestMailbox([
            "Subject: =?iso-8859-1?q?Un_caf=E9_cr=E8me?=\n\nx\n",
            "Subject: =?utf-8?b?w4lUw4kgw6AgUGFyaXM=?=\n\nx\n",  // "ÉTÉ à Paris"
            "Subject: plain cafe\n\nx\n",
        ])
        XCTAssertEqual(try mailbox.search("SUBJECT \"CAFÉ\""), [1])
        XCTAssertEqual(try mailbox.search("CHARSET UTF-8 SUBJECT \"été\""), [2])
        XCTAssertEqual(try mailbox.search("SUBJECT \"e\u{301}te\u{301}\""), [2], "a decomposed é matches the precomposed one")
        // Decomposed, `café` is `cafe` + U+0301: an unaccented needle is a substring of it (as
        // in Dovecot), while an accented one does not match unaccented text.
        XCTAssertEqual(try mailbox.search("SUBJECT cafe"), [1, 3])
        XCTAssertEqual(try mailbox.search("SUBJECT \"plain café\""), [])
        XCTAssertEqual(try mailbox.search("SUBJECT =?iso"), [], "the raw encoded-word text is not what is searched")
    }

    /// Raw 8-bit header text is read as UTF-8, other bytes as U+FFFD (Dovecot): a Latin-1
    /// `özür` written without encoded-words is not found as `özür`, a UTF-8 one is.
    func testRawEightBitHeaders() throws {
        let latin1 = Array("Subject: ".utf8) + [0xF6, 0x7A, 0xFC, 0x72] + Array(" dileriz\n\nx\n".utf8)
        let context = SearchContext(messages: [IndexedMessage(uid: 1, flags: [], keywords: [], modSeq: 1, size: Int64(latin1.count),
                                                              internalDate: 0, baseName: "a")])
        let evaluator = SearchEvaluator(context: context) { _ in latin1 }
        XCTAssertEqual(try evaluator.search(.subject(Array("özür".utf8))).numbers(byUID: true), [])
        XCTAssertEqual(try evaluator.search(.subject(Array("dileriz".utf8))).numbers(byUID: true), [1])
        XCTAssertEqual(try evaluator.search(.subject(Array("\u{FFFD}z".utf8))).numbers(byUID: true), [1])
        let utf8 = SearchTestMailbox(["Subject: özür dileriz\n\nx\n"])
        XCTAssertEqual(try utf8.search("SUBJECT \"ÖZÜR\""), [1], "raw UTF-8 is read as such")
    }

    func testFoldingRules() {
        XCTAssertEqual(UnicodeCaseMap.fold("Straße"), UnicodeCaseMap.fold("STRAßE"))
        XCTAssertNotEqual(UnicodeCaseMap.fold("Straße"), UnicodeCaseMap.fold("STRASSE"), "ß has no one-character title case")
        XCTAssertEqual(UnicodeCaseMap.fold("ﬁle"), UnicodeCaseMap.fold("FILE"), "the ligature decomposes to letters that fold")
        XCTAssertEqual(UnicodeCaseMap.fold("ǆ"), UnicodeCaseMap.fold("ǅ"), "title case, not upper case (DŽ is ǅ's upper case)")
        XCTAssertEqual(UnicodeCaseMap.fold("abc"), Array("ABC".utf8))
    }

    /// HEADER with an empty value means "has the field"; other values are substrings of any
    /// field of that name, decoded.
    func testHeaderKey() throws {
        let mailbox = SearchTestMailbox([
            "X-Tag: first\nX-Tag: =?utf-8?q?Z=C3=BCrich?=\n\nx\n",
            "X-Other: first,\n\tsecond\n\nx\n",
        ])
        XCTAssertEqual(try mailbox.search("HEADER X-Tag \"\""), [1])
        XCTAssertEqual(try mailbox.search("HEADER x-tag \"ZÜRICH\""), [1], "second field, decoded, folded")
        XCTAssertEqual(try mailbox.search("NOT HEADER X-TAG \"\""), [2])
        XCTAssertEqual(try mailbox.search("HEADER X-Other \"first, second\""), [2], "a folded tab matches as a space")
        XCTAssertEqual(try mailbox.search("HEADER X-Other FIRST"), [2])
    }

    /// Address keys see parsed addresses: comments dropped from the address, a trailing
    /// comment as the name, encoded names decoded, groups by name and members.
    func testAddressKeys() throws {
        let mailbox = SearchTestMailbox([
            "From: \"Doe, Jane\" <jane (work) @ example.org>\n\nx\n",
            "From: bob@example.net (Bob =?utf-8?q?M=C3=BCller?=)\n\nx\n",
            "From: =?utf-8?q?J=C3=B6rg?= <joerg@example.com>\nCc: team: a@example.com, b@example.com;\n\nx\n",
        ])
        XCTAssertEqual(try mailbox.search("FROM jane@example.org"), [1])
        XCTAssertEqual(try mailbox.search("FROM \"\\\"doe, jane\\\" <jane@\""), [1])
        XCTAssertEqual(try mailbox.search("FROM work"), [], "comments inside the address are not searched")
        XCTAssertEqual(try mailbox.search("FROM \"müller\""), [2])
        XCTAssertEqual(try mailbox.search("FROM \"JÖRG\""), [3])
        XCTAssertEqual(try mailbox.search("CC team"), [3])
        XCTAssertEqual(try mailbox.search("CC b@example"), [3])
        XCTAssertEqual(try mailbox.search("TO \"\""), [], "no To: field")
        XCTAssertEqual(try mailbox.search("FROM \"\""), [1, 2, 3])
        let bare = SearchTestMailbox(["From: j\n\nx\n", "To: \"\" <>\n\nx\n"])
        XCTAssertEqual(try bare.search("FROM \"<j@MISSING_DOMAIN>\""), [1], "Dovecot's fillers are searchable")
        XCTAssertEqual(try bare.search("TO \"<missing_mailbox@missing_domain>\""), [2])
    }

    /// The address text is rendered as Dovecot 2.3 does before matching (seen with
    /// `doveadm search`): a bare address in angle brackets, a name that is not all atext in
    /// quotes (a comment name too), an encoded name never quoted, groups as `g: <a@b>;`.
    func testAddressTextIsRenderedAsDovecotDoes() throws {
        let mailbox = SearchTestMailbox([
            "From: \"John\" <j@x.org>\n\nx\n",
            "From: John Doe <j@x.org>\n\nx\n",
            "From: j@x.org (John Doe)\n\nx\n",
            "From: =?utf-8?q?J=C3=B6rg_M?= <j@x.org>\n\nx\n",
            "From: \"a\\\"b\" <j@x.org>\n\nx\n",
            "From: j@x.org\n\nx\n",
            "From: g: a@b.c, John Doe <d@e.f>;, empty:;\n\nx\n",
            "From: Ville =?ISO-8859-1?Q?Skytt=E4?= <v@x.org>\n\nx\n",
        ])
        XCTAssertEqual(try mailbox.search("FROM \"ville skyttä <v@\""), [8], "a name with encoded-words is not quoted")
        XCTAssertEqual(try mailbox.search("FROM \"\\\"\""), [2, 3, 5, 7], "quotes: names with spaces or quotes")
        XCTAssertEqual(try mailbox.search("FROM \"john <\""), [1], "an atext name loses its quotes")
        XCTAssertEqual(try mailbox.search("FROM \"jörg m <\""), [4], "decoded after rendering: no quotes")
        XCTAssertEqual(try mailbox.search("FROM \"a\\\\\\\"b\""), [5], "an inner quote is escaped")
        XCTAssertEqual(try mailbox.search("FROM \"<j@x.org>\""), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try mailbox.search("FROM \"g: <a@b.c>, \\\"john doe\\\" <d@e.f>;, empty:;\""), [7])
    }

    /// BODY searches decoded text parts only (base64 and QP removed, charset converted);
    /// TEXT adds every header: the message's, each part's and an attached message's. Bodies
    /// that are not text, and the raw encoding, are not searched (all as `doveadm search`).
    func testBodyAndTextSearchDecodedTextParts() throws {
        let multipart = """
            From: a@example.org
            Subject: invoice
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain; charset=iso-8859-1
            Content-Transfer-Encoding: quoted-printable

            Gr=FC=DFe aus K=F6ln
            --b
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: base64

            PHA+U2NobMO8c3NlbDwvcD4=
            --b
            Content-Type: message/rfc822

            Subject: inner subject

            inner body
            --b
            Content-Type: application/octet-stream
            Content-Transfer-Encoding: base64
            X-Part: part header

            c2VjcmV0d29yZA==
            --b--

            """
        let mailbox = SearchTestMailbox([multipart, "Subject: other\n\nplain köln text\n"])
        XCTAssertEqual(try mailbox.search("BODY \"grüße\""), [1], "QP and Latin-1 decoded")
        XCTAssertEqual(try mailbox.search("BODY \"KÖLN\""), [1, 2])
        XCTAssertEqual(try mailbox.search("BODY \"schlüssel\""), [1], "base64 HTML part decoded")
        XCTAssertEqual(try mailbox.search("BODY secretword"), [], "a non-text attachment is not searched")
        XCTAssertEqual(try mailbox.search("BODY PHA+"), [], "the base64 text itself is not searched")
        XCTAssertEqual(try mailbox.search("BODY invoice"), [], "BODY leaves out the header")
        XCTAssertEqual(try mailbox.search("TEXT invoice"), [1])
        XCTAssertEqual(try mailbox.search("BODY \"inner body\""), [1], "an attached message's text part")
        XCTAssertEqual(try mailbox.search("BODY \"inner subject\""), [], "an attached message's header is not BODY")
        XCTAssertEqual(try mailbox.search("TEXT \"inner subject\""), [1])
        XCTAssertEqual(try mailbox.search("TEXT \"part header\""), [1], "a MIME part's header is TEXT")
        XCTAssertEqual(try mailbox.search("TEXT secretword"), [])
        XCTAssertEqual(try mailbox.search("TEXT \"subject: other\""), [2])
    }

    /// SENT* compare the Date: header's day as written in its own zone.
    func testSentDateKeysUseTheWrittenDay() throws {
        let mailbox = SearchTestMailbox([
            "Date: Sat, 24 Mar 2007 23:30:00 -0500\n\nx\n",  // 25 Mar in UTC, 24 Mar as written
            "Date: 25 Mar 07 00:10 +0300\n\nx\n",  // no weekday, two-digit year, no seconds
            "Subject: no date\n\nx\n",
            "Date: garbage\n\nx\n",
        ])
        XCTAssertEqual(try mailbox.search("SENTON 24-Mar-2007"), [1])
        XCTAssertEqual(try mailbox.search("SENTON 25-Mar-2007"), [2])
        XCTAssertEqual(try mailbox.search("SENTBEFORE 25-Mar-2007"), [1, 3, 4])
        XCTAssertEqual(try mailbox.search("SENTSINCE 25-Mar-2007"), [2])
        XCTAssertEqual(try mailbox.search("SENTON 1-Jan-1970"), [3, 4], "no or a bad Date: is 1 Jan 1970, as in Dovecot")
        XCTAssertEqual(try mailbox.search("SENTBEFORE 2-Jan-1970"), [3, 4])
    }

    func testSentDateParser() {
        XCTAssertEqual(SentDate.parse("Sun, 25 Mar 2007 04:00:00 +0300")?.instant, 1_174_784_400)
        XCTAssertEqual(SentDate.parse("Sun, 25 Mar 2007 04:00:00 +0300 (EEST)")?.zoneOffset, 10_800)
        XCTAssertEqual(SentDate.parse("25 Mar 2007 01:00:00 EST")?.zoneOffset, -18_000)
        XCTAssertEqual(SentDate.parse("1 Jan 99 00:00:00 GMT")?.instant, 915_148_800)
        XCTAssertNil(SentDate.parse("Thu, 18 Jul 0102 19:51:35 -0100"), "spam's year 0102 is no date, as in Dovecot")
        XCTAssertEqual(SentDate.parse("Fri, 1 Jan 099 00:00:00 +0000")?.instant, 915_148_800)
        XCTAssertEqual(SentDate.parse("Sat, 1 Jan 00 00:00:00 +0000")?.instant, 946_684_800)
        XCTAssertNil(SentDate.parse("32 Mar 2007 00:00:00 +0000"))
        XCTAssertNil(SentDate.parse("Sat, 31 Feb 2000 00:00:00 +0000"), "no 31 Feb (Dovecot: 1 Jan 1970)")
        XCTAssertNotNil(SentDate.parse("Tue, 29 Feb 2000 00:00:00 +0000"))
        XCTAssertNil(SentDate.parse("Sat, 29 Feb 1900 00:00:00 +0000"))
        XCTAssertNil(SentDate.parse("Tomorrow"))
    }

    /// CHARSET other than UTF-8/US-ASCII is refused with the typed error the session turns
    /// into `NO [BADCHARSET (UTF-8 US-ASCII)]`.
    func testUnsupportedCharsetIsTypedError() throws {
        let mailbox = SearchTestMailbox(["Subject: x\n\nx\n"])
        XCTAssertEqual(try mailbox.search("CHARSET us-ascii ALL"), [1])
        XCTAssertThrowsError(try mailbox.search("CHARSET ISO-8859-1 SUBJECT x")) { error in
            XCTAssertEqual(error as? SearchError, .unsupportedCharset("ISO-8859-1"))
        }
        XCTAssertEqual(SearchCharset.supported, ["UTF-8", "US-ASCII"])
    }
}
