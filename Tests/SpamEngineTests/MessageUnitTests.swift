import Foundation
import XCTest
import MIME
@testable import SpamEngine

final class MessageUnitTests: XCTestCase {
    func msg(_ s: String) -> SAMessage { SAMessage(bytes: Array(s.utf8)) }
    func str(_ b: [UInt8]?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }
    func sel(_ n: String, _ m: HeaderModifier...) -> HeaderSelector { HeaderSelector(name: n, modifiers: m) }

    // MARK: headers

    func testHeaderJoinAndAbsence() {
        let m = msg("Subject: one\nX-A: 1\nX-A:  2 \n\nbody\n")
        XCTAssertEqual(str(m.header(sel("Subject"))), "one\n")
        XCTAssertEqual(str(m.header(sel("X-A"))), "1\n2\n")
        XCTAssertNil(m.header(sel("X-Missing")))
        XCTAssertEqual(str(m.header(sel("X-A", .raw))), " 1\n  2 \n")
    }

    func testFoldingAndRFC2047() {
        let m = msg("Subject: =?iso-8859-1?q?caf=E9?=\n =?utf-8?b?w6k=?= tail\nX-F: a\n\tb\n\nx\n")
        XCTAssertEqual(str(m.header(sel("Subject"))), "café é tail\n".replacingOccurrences(of: "é é", with: "éé"))
        XCTAssertEqual(str(m.header(sel("X-F"))), "a b\n")
        XCTAssertEqual(str(m.header(sel("X-F", .raw))), " a\n\tb\n")
    }

    func testAddrAndName() {
        let m = msg("From: \"Doe, John\" <john@example.com>\nTo: a@b.example, \"X\" <c@d.example>\nCc: e@f.example\n\nx\n")
        XCTAssertEqual(str(m.header(sel("From", .addr))), "john@example.com")
        XCTAssertEqual(str(m.header(sel("From", .name))), "Doe, John")
        XCTAssertEqual(str(m.header(sel("To", .addr))), "a@b.example\nc@d.example")
        XCTAssertEqual(str(m.header(sel("ToCc"))), "a@b.example, \"X\" <c@d.example>\ne@f.example\n")
    }

    func testPseudoHeaders() {
        let m = SAMessage(bytes: Array("Message-Id: <1@x>\nX-Message-Id: <2@y>\nSubject: s\n\nb\n".utf8), envelopeFrom: "s@x.example")
        XCTAssertEqual(str(m.header(sel("MESSAGEID"))), "<2@y>\n<1@x>\n")
        XCTAssertEqual(str(m.header(sel("EnvelopeFrom"))), "s@x.example\n")
        XCTAssertEqual(str(m.header(sel("ALL"))), "Message-Id: <1@x>\nX-Message-Id: <2@y>\nSubject: s\n")
    }

    func testRelays() {
        let m = msg("Received: from mail.ex.com (mail.ex.com [203.0.113.5]) by mx.local (Postfix) with ESMTP id ABC123; Mon, 1 Jan 2024 00:00:00 +0000\n"
            + "Received: from [10.0.0.2] by mail.ex.com with HTTP; Mon, 1 Jan 2024 00:00:00 +0000\n\nx\n")
        XCTAssertEqual(str(m.header(sel("X-Spam-Relays-Untrusted"))),
                       "[ ip=203.0.113.5 rdns=mail.ex.com helo=mail.ex.com by=mx.local ident= envfrom= intl=0 id=ABC123 auth= msa=0 ] [ ip=10.0.0.2 rdns= helo= by=mail.ex.com ident= envfrom= intl=0 id= auth=HTTP msa=0 ]")
        XCTAssertEqual(str(m.header(sel("X-Spam-Relays-Trusted"))), "")
    }

    /// Expected strings are what SpamAssassin 4.0.1 wrote (`_RELAYSTRUSTED_` and friends) for
    /// the same headers and network settings.
    func testTrustedInternalAndMSANetworks() {
        let text = "Received: from mail.ex.com (mail.ex.com [203.0.113.5]) by mx.local (Postfix) with ESMTP id ABC123; Mon, 1 Jan 2024 00:00:00 +0000\n"
            + "Received: from relay.ex.com (relay.ex.com [198.51.100.7]) by mail.ex.com (Postfix) with ESMTP id DEF; Mon, 1 Jan 2024 00:00:00 +0000\n"
            + "Received: from [10.0.0.2] by relay.ex.com with HTTP; Mon, 1 Jan 2024 00:00:00 +0000\nSubject: x\n\nx\n"
        func relay(_ ip: String, _ rdns: String, _ by: String, _ id: String, intl: Int, auth: String = "", msa: Int = 0) -> String {
            "[ ip=\(ip) rdns=\(rdns) helo=\(rdns) by=\(by) ident= envfrom= intl=\(intl) id=\(id) auth=\(auth) msa=\(msa) ]"
        }
        func view(trusted: [String], internal internalNets: [String] = [], msa: [String] = []) -> SAMessage {
            SAMessage(bytes: Array(text.utf8), trust: RelayTrust(trusted: trusted, internal: internalNets, msa: msa))
        }
        // Only trusted_networks: internal follows it.
        var m = view(trusted: ["203.0.113.0/24"])
        XCTAssertEqual(str(m.header(sel("X-Spam-Relays-Trusted"))), relay("203.0.113.5", "mail.ex.com", "mx.local", "ABC123", intl: 1))
        XCTAssertEqual(str(m.header(sel("X-Spam-Relays-Untrusted"))),
                       relay("198.51.100.7", "relay.ex.com", "mail.ex.com", "DEF", intl: 0) + " "
                       + "[ ip=10.0.0.2 rdns= helo= by=relay.ex.com ident= envfrom= intl=0 id= auth=HTTP msa=0 ]")
        XCTAssertEqual(m.relays.external.map(\.ip), ["198.51.100.7", "10.0.0.2"])
        // A trusted third party outside internal_networks; an authenticated hop stays trusted.
        m = view(trusted: ["203.0.113.0/24", "198.51.100.0/24"], internal: ["203.0.113.0/24"])
        XCTAssertEqual(m.relays.trusted.map(\.ip), ["203.0.113.5", "198.51.100.7", "10.0.0.2"])
        XCTAssertEqual(m.relays.trusted.map(\.isInternal), [true, false, false])
        XCTAssertEqual(m.relays.untrusted.count, 0)
        XCTAssertEqual(m.relays.external.map(\.ip), ["198.51.100.7", "10.0.0.2"])
        // An MSA extends trust (and internality) to everything below it.
        m = view(trusted: ["203.0.113.0/24"], msa: ["203.0.113.5"])
        XCTAssertEqual(m.relays.trusted.map(\.asString).first, relay("203.0.113.5", "mail.ex.com", "mx.local", "ABC123", intl: 1, msa: 1))
        XCTAssertEqual(m.relays.trusted.map(\.isInternal), [true, true, true])
        XCTAssertEqual(m.relays.external.count, 0)
        // Without any configuration the inference applies: the first public relay is untrusted.
        m = SAMessage(bytes: Array(text.utf8))
        XCTAssertEqual(m.relays.trusted.count, 0)
        XCTAssertEqual(m.relays.untrusted.count, 3)
    }

    // MARK: body

    func testBodyParagraphsSubjectFirstAndWhitespace() {
        let m = msg("Subject: Hi  there\n\nline one\nline  two\n\n\n  para two\t\n")
        XCTAssertEqual(m.bodyParagraphs.map { String(decoding: $0, as: UTF8.self) },
                       ["Hi  there\n", "line one line two\n", " para two "])
    }

    // Expected values below were checked against SpamAssassin 4.0.1 (Fixtures/sa_view.pl).
    func testHTMLRendering() {
        let m = msg("Subject: s\nContent-Type: text/html\n\n<html><head><style>p{}</style><script>x()</script></head><body>Hello&nbsp;<b>W</b>orld<br>next<p>para &amp; &#8364;5</p><!-- c --></body></html>\n")
        XCTAssertEqual(m.bodyParagraphs.map { String(decoding: $0, as: UTF8.self) },
                       ["s\n", "Hello World next\n", "para & €5\n"])
        XCTAssertTrue(m.html.isHTML)
        XCTAssertEqual(m.html.scripts.map { String(decoding: $0, as: UTF8.self) }, ["x()"])
        XCTAssertEqual(m.html.inside["b"], 0)
        XCTAssertEqual(m.html.comments.count, 1)
    }

    func testLatin1OctetsWhenNothingDecoded() {
        // SA leaves &copy; from an all-ASCII HTML part as the single byte 0xA9.
        let m = msg("Subject: s\nContent-Type: text/html\n\n<p>&copy;2002</p>\n")
        XCTAssertEqual(m.bodyParagraphs.last, [0xA9] + Array("2002\n".utf8))
    }

    func testCharsetDecodingToUTF8() {
        let m = msg("Subject: s\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\ncaf=E9 =\nsoft\n")
        XCTAssertEqual(str(m.bodyParagraphs.last), "café soft ")
        XCTAssertEqual(m.rawbodyLines, [Array("caf".utf8) + [0xE9] + Array(" soft\n".utf8)])
    }

    func testMultipartRawbodyDropsLineBreakBeforeBoundary() {
        let m = msg("Subject: s\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nhello\n\n--XX\nContent-Type: application/octet-stream\n\nAAAA\n--XX\nContent-Type: text/plain\n\nworld\n--XX--\n")
        XCTAssertEqual(m.rawbodyLines.map { String(decoding: $0, as: UTF8.self) }, ["hello\n", "world"])
        XCTAssertEqual(m.bodyParagraphs.map { String(decoding: $0, as: UTF8.self) }, ["s\n", "hello\n", "world"])
    }

    func testLongLinesSplit() {
        let word = String(repeating: "a", count: 1500)
        let m = msg("Subject: s\n\n\(word) \(word)\n")
        XCTAssertEqual(m.bodyParagraphs.count, 3)
        XCTAssertEqual(m.bodyParagraphs[1].count, 1501)
    }

    // MARK: uris

    func testTextAndHTMLURIs() {
        let m = msg("Subject: s\nContent-Type: text/html\n\n<base href=\"http://base.example.com/dir/x.html\"><a href=\"page.html\">go</a> <img src=\"//img.example.net/i.gif\"> see www.example.org/path, mail me@example.com\n")
        let u = Set(m.uris.map { String(decoding: $0, as: UTF8.self) })
        XCTAssertTrue(u.contains("http://base.example.com/dir/page.html"))
        XCTAssertTrue(u.contains("http://img.example.net/i.gif") || u.contains("//img.example.net/i.gif"))
        XCTAssertTrue(u.contains("http://www.example.org/path"))
        XCTAssertTrue(u.contains("mailto:me@example.com"))
    }

    func testMIMEHeadersAndFacts() {
        let m = msg("Subject: s\nContent-Type: multipart/alternative; boundary=B\n\n--B\nContent-Type: text/plain; charset=us-ascii\n\nhi\n--B\nContent-Type: text/html\nContent-Transfer-Encoding: base64\n\nPGI+aGk8L2I+\n--B--\n")
        XCTAssertEqual(m.mimeHeaders(sel("Content-Type")).count, 3)
        XCTAssertTrue(m.mimeFacts.multipartAlternative)
        XCTAssertEqual(m.mimeFacts.base64Count, 1)
        XCTAssertEqual(m.mimeFacts.bodyHTMLCount, 1)
        XCTAssertFalse(m.mimeFacts.htmlOnly)
        XCTAssertTrue(m.mimeFacts.base64EncodedText)
        XCTAssertEqual(m.mimeFacts.base64MaxLineLength, 12)   // last line: SA chomps the break before the boundary
        XCTAssertEqual(m.full.prefix(10), Array("Subject: s".utf8)[...])
    }

    func testQPFacts() {
        let long = String(repeating: "x", count: 90)
        let m = msg("Subject: s\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n=41=42 plain=20\n\(long)\n")
        XCTAssertTrue(m.mimeFacts.qpLongLine)
        XCTAssertEqual(m.mimeFacts.qpCount, 2)
    }
}
