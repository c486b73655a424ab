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

final class EvalMessageCorpusDumpTests: XCTestCase {
    func testDumpUnparseable() throws {
        guard ProcessInfo.processInfo.environment["MOAT_DUMP"] != nil else { return }
        let fm = FileManager.default
        var out = ""
        for dir in ["ham", "spam"] {
            let base = "/work/shared/corpus/\(dir)"
            for name in (try? fm.contentsOfDirectory(atPath: base)) ?? [] {
                guard let data = fm.contents(atPath: base + "/" + name) else { continue }
                let m = SAMessage(bytes: Array(data))
                for line in m.headerStore.decoded("Received") {
                    if case .unparseable = RelayEvals.classify(line) { out += "\(dir)/\(name)\t\(String(decoding: line, as: UTF8.self))" }
                }
                if RelayEvals.checkForNoRDNSDotcomHelo(EvalInput(subject: m, arguments: [], ruleName: "T", kind: .header)) {
                    for (r, l) in RelayEvals.untrustedWithLookup(m) { out += "DOTCOM \(dir)/\(name)\t\(l) \(r.asString)\n" }
                }
            }
        }
        try out.write(toFile: "/tmp/x/dump.txt", atomically: true, encoding: .utf8)
    }
}
