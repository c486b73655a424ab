import XCTest
@testable import SpamEngine

/// HTMLEval / MIMEEval / RelayEval / BodyEval ports on hand-made messages.
final class EvalMessageTests: XCTestCase {
    let registry = EvalRegistry.standard(evalConfig())

    func message(_ text: String) -> SAMessage {
        SAMessage(bytes: Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
    }

    func run(_ name: String, _ args: [String] = [], _ msg: SAMessage, kind: RuleKind = .body) -> Int {
        guard let f = registry[name] else { XCTFail("\(name) not registered"); return -1 }
        return f(EvalInput(subject: msg, arguments: args, ruleName: "T", kind: kind))
    }

    static let htmlOnly = """
    Received: from mail.example.com (mail.example.com [203.0.113.5]) by mx.example.org (Postfix) with ESMTP id ABC; Mon, 1 Jan 2024 00:00:00 +0000
    From: a@example.com
    To: b@example.org
    Subject: Hello there
    MIME-Version: 1.0
    Content-Type: text/html; charset=us-ascii

    <html><head><title>A title that is considerably longer than the subject line is</title></head>
    <body><center><font size="7">BIG</font></center><img src="http://x.example/a.gif" width="500" height="400"></body>
    <!-- saved from url=(0022)http://internet.e-mail -->
    """

    func testHTMLFunctions() {
        let m = message(Self.htmlOnly)
        XCTAssertEqual(run("html_test", ["html"], m), 1)
        XCTAssertEqual(run("html_tag_exists", ["html"], m), 1)
        XCTAssertEqual(run("html_tag_exists", ["script"], m), 0)
        XCTAssertEqual(run("html_tag_balance", ["body", "!= 0"], m), 0)
        XCTAssertEqual(run("html_range", ["max_size", "6", "inf"], m), 1)
        XCTAssertEqual(run("html_range", ["max_size", "5", "6"], m), 0)
        XCTAssertEqual(run("html_image_only", ["0000", "0400"], m), 1)
        // non_space_len (title + "BIG") / 200000 px
        XCTAssertEqual(run("html_image_ratio", ["0.000", "0.002"], m), 1)
        XCTAssertEqual(run("html_image_ratio", ["0.002", "0.004"], m), 0)
        XCTAssertEqual(run("html_eval", ["length", "< 384"], m), 1)
        XCTAssertEqual(run("html_text_match", ["comment", "<!-- saved from url=\\(\\d{4}\\)"], m), 1)
        XCTAssertEqual(run("html_text_match", ["title", ".{120}"], m), 0)
        XCTAssertEqual(run("html_title_subject_ratio", ["3.5"], m), 1)
        XCTAssertEqual(run("html_charset_faraway", [], m), 0)
        XCTAssertEqual(run("check_for_mime_html_only", [], m), 1)
        XCTAssertEqual(run("check_for_mime_html", [], m), 1)
    }

    func testHTMLExpressions() {
        XCTAssertTrue(HTMLEvals.evaluate(1, "!= 0"))
        XCTAssertFalse(HTMLEvals.evaluate(0, "!= 0"))
        XCTAssertTrue(HTMLEvals.evaluate(100, "< 384"))
        XCTAssertFalse(HTMLEvals.evaluate(100, "abc"))
    }

    func testPlainMessageIsNotHTML() {
        let m = message("""
        From: a@example.com
        Subject: x
        Content-Type: text/plain

        hello world
        """)
        XCTAssertEqual(run("html_test", ["html"], m), 0)
        XCTAssertEqual(run("check_for_mime_html", [], m), 0)
        XCTAssertEqual(run("check_no_relays", [], m), 1)
        XCTAssertEqual(run("check_all_trusted", [], m), 0)
        XCTAssertEqual(run("check_body_length", ["128"], m), 1)
        XCTAssertEqual(run("check_body_length", ["5"], m), 0)
    }

    func testMultipartMIME() {
        let m = message("""
        From: a@example.com
        Subject: x
        MIME-Version: 1.0
        Content-Type: multipart/alternative; boundary="b1"

        --b1
        Content-Type: text/plain; charset=us-ascii
        Content-Transfer-Encoding: quoted-printable

        hello =3F world caf\u{E9}
        --b1
        Content-Type: text/html; charset=us-ascii
        Content-Transfer-Encoding: base64

        PGh0bWw+PGJvZHk+aGVsbG8gd29ybGQgc3BhbSBzcGFtIGJ1eSBub3c8L2JvZHk+PC9odG1sPg==
        --b1--
        trailing epilogue text
        """)
        XCTAssertEqual(run("check_for_mime", ["mime_base64_count"], m), 1)
        XCTAssertEqual(run("check_for_mime", ["mime_qp_count"], m), 1)
        XCTAssertEqual(run("check_for_mime", ["mime_attachment"], m), 0)
        XCTAssertEqual(run("check_for_mime", ["mime_base64_encoded_text"], m), 1)
        XCTAssertEqual(run("check_for_mime_html", [], m), 1)
        XCTAssertEqual(run("check_for_mime_html_only", [], m), 0)
        XCTAssertEqual(run("check_for_ascii_text_illegal", [], m), 1)
        XCTAssertEqual(run("check_msg_parse_flags", ["mime_epilogue_exists"], m), 1)
        XCTAssertEqual(run("check_msg_parse_flags", ["missing_mime_headers"], m), 0)
        XCTAssertEqual(run("check_base64_length", ["79"], m), 0)
        XCTAssertEqual(run("check_base64_length", ["70", "79"], m), 1)
        // html words {hello, world, spam, buy, now} vs text {hello, ?, world, café}: 3 of 5 left
        XCTAssertEqual(run("multipart_alternative_difference", ["59", "60"], m), 1)
        XCTAssertEqual(run("multipart_alternative_difference", ["99", "100"], m), 0)
    }

    func testRelays() {
        let trusted = message("""
        Received: from internal.example.com (internal.example.com [10.0.0.5]) by mx.example.org (Postfix) with ESMTP id ABC; Mon, 1 Jan 2024 00:00:00 +0000
        From: a@example.com
        Subject: x

        body
        """)
        XCTAssertEqual(run("check_all_trusted", [], trusted), 1)
        XCTAssertEqual(run("check_no_relays", [], trusted), 0)

        let untrusted = message("""
        Received: from 198.51.100.7 (unknown [203.0.113.9]) by mx.example.org (Postfix) with ESMTP id ABC; Mon, 1 Jan 2024 00:00:00 +0000
        Received: from [10.0.0.1] (helo=yahoo.com) by x.example.net; Mon, 1 Jan 2024 00:00:00 +0000
        From: a@example.com
        Subject: x

        body
        """)
        XCTAssertEqual(run("check_all_trusted", [], untrusted), 0)
        XCTAssertEqual(run("helo_ip_mismatch", [], untrusted), 1)

        let originating = message("""
        Received: from internal.example.com (internal.example.com [10.0.0.5]) by mx.example.org (Postfix) with ESMTP id ABC; Mon, 1 Jan 2024 00:00:00 +0000
        X-Originating-IP: [203.0.113.77]
        From: a@example.com
        Subject: x

        body
        """)
        XCTAssertEqual(run("check_all_trusted", [], originating), 0)

        let unparseable = message("""
        Received: from somewhere weird stuff happening here; Mon, 1 Jan 2024 00:00:00 +0000
        From: a@example.com
        Subject: x

        body
        """)
        XCTAssertEqual(run("check_relays_unparseable", [], unparseable), 1)
        XCTAssertEqual(run("check_no_relays", [], unparseable), 0)
    }

    func testUppercaseAndVerticalWords() {
        let line = String(repeating: "THIS IS ALL SHOUTING TEXT ", count: 12)
        let m = message("From: a@example.com\nSubject: x\n\n\(line)\n")
        XCTAssertEqual(run("check_for_uppercase", ["75", "100"], m), 1)
        XCTAssertEqual(run("check_for_uppercase", ["25", "50"], m), 0)
        XCTAssertEqual(run("tvd_vertical_words", ["0", "10"], m), 0)
        let v = message("From: a@example.com\nSubject: x\n\nv e r t i c a l\n")
        XCTAssertEqual(run("tvd_vertical_words", ["0", "10"], v), 0)
        let ok = message("From: a@example.com\nSubject: xx\n\nordinarylongwordwithoutspaces\n")
        XCTAssertEqual(run("tvd_vertical_words", ["0", "10"], ok), 1)
    }

    func testRecipients() {
        let to = (1...8).map { "user\($0)@host\($0).example" }.joined(separator: ", ")
        let m = message("From: a@example.com\nTo: \(to)\nSubject: x\n\nbody\n")
        XCTAssertEqual(run("sorted_recipients", [], m, kind: .header), 1)
        XCTAssertEqual(run("similar_recipients", ["0.65", "undef"], m, kind: .header), 1)
    }
}

/// Relay corner cases found on the corpus.
final class EvalMessageRelayTests: XCTestCase {
    let registry = EvalRegistry.standard(evalConfig())

    func run(_ name: String, _ text: String) -> Int {
        let m = SAMessage(bytes: Array(text.utf8))
        return registry[name]!(EvalInput(subject: m, arguments: [], ruleName: "T", kind: .header))
    }

    func testIgnoredHandoversAreNotUnparseable() {
        let lines = [
            "from mail pickup service by hotmail.com with Microsoft SMTPSVC; Mon, 26 Aug 2002 13:15:28 -0700",
            "from scv2.apple.com (scv2.apple.com) by mailgate2.apple.com (Content Technologies SMTPRS 4.2.1) with ESMTP id <T5d8e@mailgate2.apple.com>; Wed, 25 Sep 2002 16:22:19 -0700",
            "FROM barge.dsg.cs.tcd.ie BY webshield ; Wed Aug 28 10:45:49 2002 +0100",
            "from localhost (localhost [[UNIX: localhost]]) by docaoimh.tradesignals.com (8.12.5/8.12.5/Submit) id g98AgdeN002390; Tue, 8 Oct 2002 11:42:39 +0100",
        ]
        for line in lines {
            XCTAssertEqual(run("check_relays_unparseable", "Received: \(line)\nSubject: x\n\nbody\n"), 0, line)
        }
    }

    func testWebmailHTTPHopIsTrusted() {
        let msg = """
        Received: from localhost (localhost [127.0.0.1]) by phobos.example.com (Postfix) with ESMTP id BA90F; Wed, 28 Aug 2002 05:45:28 -0400 (EDT)
        Received: from 194.125.220.138 (SquirrelMail authenticated user u) by example.org with HTTP; Wed, 28 Aug 2002 00:11:36 +0100 (IST)
        Subject: x

        body

        """
        XCTAssertEqual(run("check_all_trusted", msg), 1)
    }

    func testNoRDNSDotcomHelo() {
        let sendmail = """
        Received: from mx1.mail.yahoo.com ([203.0.113.9]) by mx.example.org (8.11.6/8.11.6) with ESMTP id g7; Wed, 28 Aug 2002 11:50:07 +0100
        Subject: x

        body

        """
        XCTAssertEqual(run("check_for_no_rdns_dotcom_helo", sendmail), 1)
        // qmail "unknown" and Microsoft SMTPSVC record no lookup
        let qmail = """
        Received: from unknown (HELO hotmail.com) (203.0.113.9) by mta1.example.org with SMTP; 28 Aug 2002 10:50:13 -0000
        Subject: x

        body

        """
        XCTAssertEqual(run("check_for_no_rdns_dotcom_helo", qmail), 0)
        let smtpsvc = """
        Received: from mx02.hotmail.com ([203.0.113.9]) by host.example.org with Microsoft SMTPSVC(5.0.2195.2966); Wed, 28 Aug 2002 16:09:33 -0500
        Subject: x

        body

        """
        XCTAssertEqual(run("check_for_no_rdns_dotcom_helo", smtpsvc), 0)
    }

    /// Evals that keep per-message facts in the SAMessage memo give, on a real message, the
    /// same answers when asked again, in another order, and on a fresh copy.
    func testMemoizedEvalsRepeat() {
        let registry = EvalRegistry.standard(evalConfig(["freemail_domains": "gmail.com mail.ru"]))
        let text = """
        Received: from helo.example (unknown [198.51.100.7]) by mx.example.org (Postfix) with ESMTP id A1; Mon, 1 Jan 2024 10:00:00 +0000
        Received: from [10.0.0.2] by helo.example with HTTP; Mon, 1 Jan 2024 09:59:00 +0000
        Received: from sender.hotmail.com by mx.example.org
        From: Someone <someone@gmail.com>
        Reply-To: other@mail.ru
        To: a@example.org, b@example.org, c@example.org, d@example.org, e@example.org
        Subject: ALL CAPS SUBJECT %HEADER_X
        Date: Mon, 1 Jan 2024 02:00:00 +0000
        Message-ID: <ABCDEFGHIJKLMNOPQRSTUVWXYZAB.tail@example.com>
        MIME-Version: 1.0
        Content-Type: multipart/alternative; boundary="b1"

        --b1
        Content-Type: text/plain; charset=iso-8859-1
        Content-Transfer-Encoding: quoted-printable

        plain words here, write to friend@gmail.com or other@mail.ru caf=E9
        --b1
        Content-Type: text/html; charset=utf-8
        Content-Transfer-Encoding: base64

        PGh0bWw+PGJvZHk+PHA+Q29tcGxldGVseSBkaWZmZXJlbnQgaHRtbCB0ZXh0IGhlcmU8L3A+
        PGltZyBzcmM9Imh0dHA6Ly94LmV4YW1wbGUvYS5naWYiPjwvYm9keT48L2h0bWw+
        --b1--
        """
        let calls: [(String, [String], RuleKind)] = [
            ("multipart_alternative_difference", ["50", "undef"], .body),
            ("multipart_alternative_difference_count", ["0.5", "1"], .body),
            ("check_freemail_body", [], .body),
            ("check_freemail_from", [], .header),
            ("check_freemail_replyto", ["replyto"], .header),
            ("check_for_shifted_date", ["6", "undef"], .header),
            ("check_for_shifted_date", ["-6", "6"], .header),
            ("check_relays_unparseable", [], .header),
            ("check_all_trusted", [], .header),
            ("check_no_relays", [], .header),
            ("check_for_no_rdns_dotcom_helo", [], .header),
            ("check_for_forged_received_trail", [], .header),
            ("check_for_forged_received_ip_helo", [], .header),
            ("check_for_forged_hotmail_received_headers", [], .header),
            ("check_for_no_hotmail_received_headers", [], .header),
            ("check_for_forged_gmail_received_headers", [], .header),
            ("check_unresolved_template", [], .header),
            ("similar_recipients", ["0.5", "undef"], .header),
            ("sorted_recipients", [], .header),
            ("check_body_length", ["500"], .body),
            ("check_for_uppercase", ["25", "100"], .body),
            ("check_msg_parse_flags", ["mime_epilogue_exists"], .body),
            ("check_ma_non_text", [], .body),
        ]
        func run(_ m: SAMessage, _ order: [Int]) -> [Int: Int] {
            var out: [Int: Int] = [:]
            for i in order {
                let (name, args, kind) = calls[i]
                guard let f = registry[name] else { XCTFail("\(name) not registered"); continue }
                out[i] = f(EvalInput(subject: m, arguments: args, ruleName: "T", kind: kind))
            }
            return out
        }
        func message(_ text: String) -> SAMessage { SAMessage(bytes: Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)) }
        let m = message(text)
        let first = run(m, Array(calls.indices))
        XCTAssertEqual(run(m, Array(calls.indices)), first)
        XCTAssertEqual(run(m, calls.indices.reversed()), first)
        XCTAssertEqual(run(message(text), calls.indices.reversed()), first)
        XCTAssertEqual(first[0], 1, "multipart_alternative_difference")
        XCTAssertEqual(first[3], 1, "check_freemail_from")
    }
}
