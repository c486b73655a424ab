import XCTest
@testable import SpamEngine

/// A minimal `RuleSubject`: header texts keyed by "Name" or "Name:modifier" (e.g.
/// "From:addr", "Subject:raw"), given exactly as `header()` returns them (decoded values
/// each ending in "\n"; addresses joined with "\n").
struct EvalFakeSubject: RuleSubject {
    var headers: [String: String]
    var bodyParagraphs: [[UInt8]] = []
    var rawbodyLines: [[UInt8]] = []
    var uris: [[UInt8]] = []
    var full: [UInt8] = []

    init(_ headers: [String: String], body: [String] = [], uris: [String] = []) {
        self.headers = headers
        self.bodyParagraphs = body.map { Array($0.utf8) }
        self.uris = uris.map { Array($0.utf8) }
    }

    func header(_ selector: HeaderSelector) -> [UInt8]? {
        let key = ([selector.name] + selector.modifiers.map(\.rawValue)).joined(separator: ":")
        return headers[key].map { Array($0.utf8) }
    }

    func mimeHeaders(_ selector: HeaderSelector) -> [[UInt8]] { [] }
}

func evalConfig(_ directives: [String: String] = [:], welcomelist: [String] = [], blocklist: [String] = [],
                rcvd: [(String, String)] = []) -> RuleConfiguration {
    var config = RuleConfiguration()
    for (key, value) in directives {
        config.directives[key] = value.split(separator: "|").map { (value: String($0), location: SourceLocation(file: "test", line: 1)) }
    }
    config.welcomelistFrom = welcomelist
    config.blocklistFrom = blocklist
    config.welcomelistFromRcvd = rcvd.map { (address: $0.0, relayDomain: $0.1) }
    return config
}

let evalFixedNow = 1_800_000_000

func evalRegistry(_ config: RuleConfiguration = evalConfig()) -> EvalRegistry {
    var registry = EvalRegistry()
    registry.registerHeaderEvals(config: config, now: { evalFixedNow })
    registry.registerFreeMailEvals(config: config)
    registry.registerWLBLEvals(config: config)
    return registry
}

func evalRun(_ name: String, _ subject: EvalFakeSubject, _ args: [String] = [], registry reg: EvalRegistry = evalRegistry()) -> Int {
    guard let function = reg[name] else {
        XCTFail("\(name) not registered")
        return -1
    }
    return function(EvalInput(subject: subject, arguments: args, ruleName: "T_" + name, kind: .header))
}

final class EvalRFC822DateTests: XCTestCase {
    /// Expected values printed by SpamAssassin 4.0.1's `Util::parse_rfc822_date`.
    func testMatchesSpamAssassin() {
        let cases: [(String, Int?)] = [
            ("Mon, 25 Nov 2024 10:11:12 +0100", 1732525872),
            ("25 Nov 2024 10:11 -0500", 1732547460),
            ("Tue, 3 Jun 08 13:00:00 EST", 1212516000),
            ("Tue, 3 Jun 99 13:00:00 GMT", 928414800),
            ("3 Jun 103 13:00:00 PDT", 1054670400),
            ("Mon Nov 25 10:11:12 2024", 1732492800),
            ("Mon Nov  5 10:11:12 2024 +0200", 1730757600),
            ("Fri, 31 Feb 2023 12:00:00 +0000", 1677672000),
            ("Sat, 31 Dec 2050 23:59:59 +0000", 2145916799),
            ("1 Jan 1960 00:00:00 +0000", 0),
            ("1 Jan 1970 00:30:00 +0100", 0),
            ("0 Jan 2020 00:00:00 +0000", nil),
            ("12 dec 2021 25:61:61 CEST", 1639346399),
            ("12 Dec 2021 10:00:00 XYZ", 1639303200),
            ("12 Dec 2021 10:00:00 MON", 1639303200),
            ("Wed,12 Dec 2021 10:00:00 +0000 (UTC)", 1639303200),
            ("garbage", nil),
            ("12 Dec 2021", 1639267200),
            ("12 Dec 2021 10:00:00 -DST", 1639303200),
            ("31 Apr 2022 10:00:00 +0000", 1651399200),
            ("31 Dec 2022 10:00:00 +0000 extra", 1672480800),
            ("  7  Mar  2019  7:05:09  -0330 ", 1551954909),
            ("12 Dec 2021 10:00:00 EDT-DST", 1639303200),
            ("5 Jan 2021 01:02:03 +9999", 1609446183),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(RFC822Date.parse(text), expected, text)
        }
    }
}

final class EvalHeaderTests: XCTestCase {
    func testAllStockHeaderEvalNamesRegistered() {
        let reg = evalRegistry()
        for name in ["check_equal_from_domains", "check_for_shifted_date", "check_outlook_message_id",
                     "check_for_missing_to_header", "subject_is_all_caps", "check_header_count_range",
                     "check_illegal_chars", "check_for_forged_yahoo_received_headers",
                     "check_for_no_hotmail_received_headers", "check_for_forged_hotmail_received_headers",
                     "check_for_forged_juno_received_headers", "check_for_forged_gw05_received_headers",
                     "check_messageid_not_usable", "gated_through_received_hdr_remover", "check_unresolved_template",
                     "check_ratware_name_id", "check_ratware_envelope_from", "check_for_to_in_subject",
                     "check_for_unique_subject_id", "received_within_months", "check_for_forged_gmail_received_headers",
                     "check_for_forged_eudoramail_received_headers", "check_freemail_from", "check_freemail_header",
                     "check_freemail_replyto", "check_freemail_body", "check_from_in_welcomelist",
                     "check_from_in_whitelist", "check_from_in_blocklist", "check_from_in_blacklist",
                     "check_from_in_default_welcomelist", "check_forged_in_welcomelist", "check_from_in_list",
                     "check_replyto_in_list", "check_to_in_blocklist", "check_to_in_welcomelist"] {
            XCTAssertNotNil(reg[name], name)
        }
    }

    func testEqualFromDomains() {
        XCTAssertEqual(evalRun("check_equal_from_domains", EvalFakeSubject([
            "From:addr": "a@mail.example.com", "EnvelopeFrom:addr": "b@bounce.Example.COM"])), 0)
        XCTAssertEqual(evalRun("check_equal_from_domains", EvalFakeSubject([
            "From:addr": "a@example.com", "EnvelopeFrom:addr": "b@other.net"])), 1)
        XCTAssertEqual(evalRun("check_equal_from_domains", EvalFakeSubject(["From:addr": "a@example.com"])), 0)
        XCTAssertEqual(evalRun("check_equal_from_domains", EvalFakeSubject([
            "From:addr": "a@localhost", "EnvelopeFrom:addr": "b@other.net"])), 1)
        // Only the first From address counts (scalar get).
        XCTAssertEqual(evalRun("check_equal_from_domains", EvalFakeSubject([
            "From:addr": "a@other.net\nc@example.com", "EnvelopeFrom:addr": "b@other.net"])), 0)
    }

    func testShiftedDate() {
        let subject = EvalFakeSubject([
            "Date": "Mon, 25 Nov 2024 15:00:00 +0000\n",
            "Received": "from a by b; Mon, 25 Nov 2024 10:00:00 +0000\nfrom c by d; Mon, 25 Nov 2024 09:59:00 +0000\n",
        ])
        XCTAssertEqual(HeaderEvals.dateDiff(subject, now: evalFixedNow), 5 * 3600)
        XCTAssertEqual(evalRun("check_for_shifted_date", subject, ["3", "6"]), 1)
        XCTAssertEqual(evalRun("check_for_shifted_date", subject, ["6", "12"]), 0)
        XCTAssertEqual(evalRun("check_for_shifted_date", subject, ["undef", "-96"]), 0)
        // No Received dates: diff 0.
        XCTAssertEqual(evalRun("check_for_shifted_date", EvalFakeSubject(["Date": "Mon, 25 Nov 2024 15:00:00 +0000\n"]), ["-6", "-3"]), 0)
        // Resent-Date wins over Date.
        let resent = EvalFakeSubject([
            "Resent-Date": "Mon, 25 Nov 2024 09:00:00 +0000\n", "Date": "Mon, 25 Nov 2024 15:00:00 +0000\n",
            "Received": "from a by b; Mon, 25 Nov 2024 10:00:00 +0000\n"])
        XCTAssertEqual(HeaderEvals.dateDiff(resent, now: evalFixedNow), -3600)
        // The last Received with a zero diff is dropped when there are others.
        let last = EvalFakeSubject([
            "Date": "Mon, 25 Nov 2024 10:00:00 +0000\n",
            "Received": "from a by b; Mon, 25 Nov 2024 13:00:00 +0000\nfrom c by d; Mon, 25 Nov 2024 10:00:00 +0000\n"])
        XCTAssertEqual(HeaderEvals.dateDiff(last, now: evalFixedNow), -3 * 3600)
    }

    func testReceivedWithinMonths() {
        let subject = EvalFakeSubject([
            "Date": "Mon, 25 Nov 2024 15:00:00 +0000\n",
            "Received": "from a by b; Mon, 25 Nov 2024 15:00:00 +0000\n"])
        // evalFixedNow is 2027-01-15: ~25.7 months later.
        XCTAssertEqual(evalRun("received_within_months", subject, ["24", "undef"]), 1)
        XCTAssertEqual(evalRun("received_within_months", subject, ["undef", "24"]), 0)
    }

    func testSubjectIsAllCaps() {
        XCTAssertEqual(evalRun("subject_is_all_caps", EvalFakeSubject(["Subject": "BUY CHEAP MEDS NOW\n"])), 1)
        XCTAssertEqual(evalRun("subject_is_all_caps", EvalFakeSubject(["Subject": "Re: Fwd: BUY CHEAP MEDS 100%\n"])), 1)
        XCTAssertEqual(evalRun("subject_is_all_caps", EvalFakeSubject(["Subject": "BUYCHEAPMEDSNOW\n"])), 0)
        XCTAssertEqual(evalRun("subject_is_all_caps", EvalFakeSubject(["Subject": "BUY NOW\n"])), 0)
        XCTAssertEqual(evalRun("subject_is_all_caps", EvalFakeSubject(["Subject": "Buy cheap meds now\n"])), 0)
        XCTAssertEqual(evalRun("subject_is_all_caps", EvalFakeSubject(["Subject": "1234 5678 90\n"])), 0)
        XCTAssertEqual(evalRun("subject_is_all_caps", EvalFakeSubject([
            "Subject": "ПРИВЕТ МИР ABCDEF\n", "Subject:raw": " =?koi8-r?B?8NLJ?= ABCDEF\n"])), 0)
        XCTAssertEqual(evalRun("subject_is_all_caps", EvalFakeSubject([:])), 0)
    }

    func testOutlookMessageID() {
        let date = 1_732_546_800 // Mon, 25 Nov 2024 15:00:00 +0000
        let token = Int(Double(date) * 0.0023283064365387 + 27111902.8329849)
        let hex = String(token, radix: 16)
        let id = "<0000" + String(repeating: "0", count: 8 - hex.count) + hex + "$00000000$00000000@host>\n"
        XCTAssertEqual(evalRun("check_outlook_message_id", EvalFakeSubject(["MESSAGEID": id, "Date": "Mon, 25 Nov 2024 15:00:00 +0000\n"])), 0)
        XCTAssertEqual(evalRun("check_outlook_message_id", EvalFakeSubject([
            "MESSAGEID": id, "Date": "Wed, 27 Nov 2024 19:00:00 +0000\n",
            "Received": "from x by y; Wed, 27 Nov 2024 19:00:00 +0000\n"])), 1)
        XCTAssertEqual(evalRun("check_outlook_message_id", EvalFakeSubject([
            "MESSAGEID": id, "Date": "Wed, 27 Nov 2024 19:00:00 +0000\n",
            "Received": "from x by y; Mon, 25 Nov 2024 15:00:30 +0000\n"])), 0)
        XCTAssertEqual(evalRun("check_outlook_message_id", EvalFakeSubject(["MESSAGEID": "<abc@host>\n"])), 0)
    }

    func testMissingTo() {
        XCTAssertEqual(evalRun("check_for_missing_to_header", EvalFakeSubject([:])), 1)
        XCTAssertEqual(evalRun("check_for_missing_to_header", EvalFakeSubject(["To": "a@b.c\n"])), 0)
        XCTAssertEqual(evalRun("check_for_missing_to_header", EvalFakeSubject(["Apparently-To": "a@b.c\n"])), 0)
        XCTAssertEqual(evalRun("check_for_missing_to_header", EvalFakeSubject(["To": "\n"])), 0)
    }

    func testHeaderCountRange() {
        XCTAssertEqual(evalRun("check_header_count_range", EvalFakeSubject(["Subject": "one\ntwo\n"]), ["Subject", "2", "999"]), 1)
        XCTAssertEqual(evalRun("check_header_count_range", EvalFakeSubject(["Subject": "one\none\n"]), ["Subject", "2", "999"]), 0)
        XCTAssertEqual(evalRun("check_header_count_range", EvalFakeSubject([:]), ["Subject", "0", "0"]), 1)
    }

    func testIllegalChars() {
        XCTAssertEqual(evalRun("check_illegal_chars", EvalFakeSubject(["Subject:raw": " Buy \u{00}\u{01} now\n"]), ["Subject", "0.00", "2"]), 1)
        XCTAssertEqual(evalRun("check_illegal_chars", EvalFakeSubject(["Subject:raw": " Grüße aus Köln\n"]), ["Subject", "0.00", "2"]), 0)
        XCTAssertEqual(evalRun("check_illegal_chars", EvalFakeSubject(["From:raw": " ab\u{7F}\n"]), ["From", "0.20", "2"]), 0)
        XCTAssertEqual(evalRun("check_illegal_chars", EvalFakeSubject([:]), ["Subject", "0.00", "2"]), 0)
    }

    func testIllegalCharsRawBytes() {
        struct Bytes: RuleSubject {
            let value: [UInt8]
            func header(_ selector: HeaderSelector) -> [UInt8]? { selector.name == "Subject" ? value : nil }
            var bodyParagraphs: [[UInt8]] { [] }
            var rawbodyLines: [[UInt8]] { [] }
            var uris: [[UInt8]] { [] }
            var full: [UInt8] { [] }
            func mimeHeaders(_ selector: HeaderSelector) -> [[UInt8]] { [] }
        }
        let reg = evalRegistry()
        func illegal(_ bytes: [UInt8]) -> Int {
            reg["check_illegal_chars"]!(EvalInput(subject: Bytes(value: bytes), arguments: ["Subject", "0.00", "2"],
                                                  ruleName: "X", kind: .header))
        }
        XCTAssertEqual(illegal(Array(" caf".utf8) + [0xE9, 0xE9, 0x0A]), 1) // Latin-1, not UTF-8
        XCTAssertEqual(illegal(Array(" price".utf8) + [0xA3, 0xE9, 0x0A]), 0) // one £ exempt → 1 left
    }

    func testToInSubject() {
        XCTAssertEqual(evalRun("check_for_to_in_subject", EvalFakeSubject(["To:addr": "john@example.com", "Subject": "john, your order\n"]), ["user"]), 1)
        XCTAssertEqual(evalRun("check_for_to_in_subject", EvalFakeSubject(["To:addr": "john@example.com", "Subject": "Re: john\n"]), ["user"]), 1)
        XCTAssertEqual(evalRun("check_for_to_in_subject", EvalFakeSubject(["To:addr": "john@example.com", "Subject": "JOHN, hi\n"]), ["user"]), 0)
        XCTAssertEqual(evalRun("check_for_to_in_subject", EvalFakeSubject(["To:addr": "john@example.com", "Subject": "hello\n"]), ["user"]), 0)
        XCTAssertEqual(evalRun("check_for_to_in_subject", EvalFakeSubject(["To:addr": "j.o+hn@example.com", "Subject": "hi j.o+hn\n"]), ["user"]), 0)
        XCTAssertEqual(evalRun("check_for_to_in_subject", EvalFakeSubject(["To:addr": "j.o+hn@example.com", "Subject": "j.o+hn\n"]), ["user"]), 1)
    }

    func testUnresolvedTemplateAndRatware() {
        XCTAssertEqual(evalRun("check_unresolved_template", EvalFakeSubject(["ALL": "Subject: %SUBJECT\nX-Foo: %RND_DIGIT\n"])), 1)
        XCTAssertEqual(evalRun("check_unresolved_template", EvalFakeSubject(["ALL": "Subject: %SUBJECT\nX-Foo: 100%\n"])), 0)
        let name = String(repeating: "A", count: 28)
        XCTAssertEqual(evalRun("check_ratware_name_id", EvalFakeSubject([
            "MESSAGEID": "<\(name).bob@spam.example>\n", "From": "\"Bob\" <bob@spam.example>\n"])), 1)
        XCTAssertEqual(evalRun("check_ratware_name_id", EvalFakeSubject([
            "MESSAGEID": "<\(name).bob@spam.example>\n", "From": "bob@spam.example\n"])), 0)
        let reg = evalRegistry(evalConfig(["util_rb_tld": "com net"]))
        XCTAssertEqual(evalRun("check_ratware_envelope_from", EvalFakeSubject([
            "To:addr": "joe@mail.victim.com", "EnvelopeFrom:addr": "victim.com.joe@spammer.net"]), registry: reg), 1)
        XCTAssertEqual(evalRun("check_ratware_envelope_from", EvalFakeSubject([
            "To:addr": "joe@mail.victim.com", "EnvelopeFrom:addr": "SRS0=victim.com.joe@spammer.net"]), registry: reg), 0)
        XCTAssertEqual(evalRun("check_ratware_envelope_from", EvalFakeSubject([
            "To:addr": "joe@mail.victim.zz", "EnvelopeFrom:addr": "victim.zz.joe@spammer.net"]), registry: reg), 0)
    }

    func testReceivedHeaderChecks() {
        XCTAssertEqual(evalRun("gated_through_received_hdr_remover", EvalFakeSubject([:])), 1)
        XCTAssertEqual(evalRun("gated_through_received_hdr_remover", EvalFakeSubject(["Received": "from a by b\n"])), 0)
        XCTAssertEqual(evalRun("check_for_no_hotmail_received_headers", EvalFakeSubject([
            "From:addr": "x@hotmail.com", "Received": "from evil.example by mx; Mon, 25 Nov 2024 15:00:00 +0000\n"])), 1)
        XCTAssertEqual(evalRun("check_for_forged_hotmail_received_headers", EvalFakeSubject([
            "From:addr": "x@hotmail.com", "Received": "from hotmail.com (evil.example [1.2.3.4]) by mx\n"])), 1)
        XCTAssertEqual(evalRun("check_for_forged_hotmail_received_headers", EvalFakeSubject([
            "From:addr": "x@hotmail.com", "X-Originating-Ip": "[1.2.3.4]\n",
            "Received": "from mail.hotmail.com (smtp1.hotmail.com [1.2.3.4]) by mx\n"])), 0)
        XCTAssertEqual(evalRun("check_for_forged_yahoo_received_headers", EvalFakeSubject([
            "From:addr": "x@yahoo.com", "Received": "from evil by mx\n"])), 1)
        XCTAssertEqual(evalRun("check_for_forged_yahoo_received_headers", EvalFakeSubject([
            "From:addr": "x@yahoo.com", "Received": "from x by smtp101.mail.yahoo.com with SMTP; x\n"])), 0)
        XCTAssertEqual(evalRun("check_for_forged_yahoo_received_headers", EvalFakeSubject([
            "From:addr": "x@yahoo.com", "Received": "from evil by mx\n",
            "X-Spam-Relays-Untrusted": "[ ip=1.2.3.4 rdns=a.mail.yahoo.com helo=x by=y ident= envfrom= intl=0 id= auth= msa=0 ]"])), 0)
        XCTAssertEqual(evalRun("check_for_forged_juno_received_headers", EvalFakeSubject([
            "From:addr": "x@juno.com", "Received": "from evil by mx\n"])), 1)
        XCTAssertEqual(evalRun("check_for_forged_gw05_received_headers", EvalFakeSubject([
            "Received": "from a by b\nfrom host1 by gw05 with ESMTP; Mon, 25 Nov 2024 15:00:00 +0000\n"])), 1)
        XCTAssertEqual(evalRun("check_for_forged_gw05_received_headers", EvalFakeSubject([
            "Received": "from a by b\nfrom host1 by gw05.example.com with ESMTP; Mon, 25 Nov 2024 15:00:00 +0000\n"])), 0)
        XCTAssertEqual(evalRun("check_messageid_not_usable", EvalFakeSubject([
            "Received": "from a by b\n", "List-Unsubscribe": "<mailto:leave-123@lists.example.com>\n"])), 1)
        XCTAssertEqual(evalRun("check_for_unique_subject_id", EvalFakeSubject([:])), 0)
    }
}

final class EvalFreeMailTests: XCTestCase {
    let config = evalConfig([
        "freemail_domains": "gmail.com mail.ru yahoo.*|hotmail.co?",
        "freemail_welcomelist": "good@gmail.com",
        "util_rb_tld": "com ru net org de",
    ])

    func testFreemailFrom() {
        let reg = evalRegistry(config)
        XCTAssertEqual(evalRun("check_freemail_from", EvalFakeSubject(["From:addr": "John@Gmail.com"]), registry: reg), 1)
        XCTAssertEqual(evalRun("check_freemail_from", EvalFakeSubject(["From:addr": "info@gmail.com"]), registry: reg), 0)
        XCTAssertEqual(evalRun("check_freemail_from", EvalFakeSubject(["From:addr": "good@gmail.com"]), registry: reg), 0)
        XCTAssertEqual(evalRun("check_freemail_from", EvalFakeSubject(["From:addr": "x@yahoo.de"]), registry: reg), 1)
        XCTAssertEqual(evalRun("check_freemail_from", EvalFakeSubject(["From:addr": "x@mail.yahoo.de"]), registry: reg), 0)
        XCTAssertEqual(evalRun("check_freemail_from", EvalFakeSubject(["From:addr": "x@hotmail.com"]), registry: reg), 1)
        XCTAssertEqual(evalRun("check_freemail_from", EvalFakeSubject(["From:addr": "x@corp.com", "EnvelopeFrom:addr": "y@mail.ru"]), registry: reg), 1)
        XCTAssertEqual(evalRun("check_freemail_from", EvalFakeSubject(["From:addr": "x@gmail.com"]), ["\\d@"], registry: reg), 0)
        XCTAssertEqual(evalRun("check_freemail_from", EvalFakeSubject(["From:addr": "x1@gmail.com"]), ["\\d@"], registry: reg), 1)
        XCTAssertEqual(evalRun("check_freemail_from", EvalFakeSubject(["From:addr": "x@gmail.com"])), 0) // no domains configured
    }

    func testFreemailHeader() {
        let reg = evalRegistry(config)
        XCTAssertEqual(evalRun("check_freemail_header", EvalFakeSubject(["Reply-To:addr": "a@corp.com\nb@gmail.com"]), ["Reply-To"], registry: reg), 1)
        XCTAssertEqual(evalRun("check_freemail_header", EvalFakeSubject(["Reply-To:addr": "a@corp.com"]), ["Reply-To:addr"], registry: reg), 0)
        XCTAssertEqual(evalRun("check_freemail_header", EvalFakeSubject(["EnvelopeFrom:addr": "a@gmail.com"]), ["EnvelopeFrom", "\\d@"], registry: reg), 0)
    }

    func testFreemailReplyTo() {
        let reg = evalRegistry(config)
        XCTAssertEqual(evalRun("check_freemail_replyto", EvalFakeSubject(["From:addr": "a@gmail.com", "Reply-To:addr": "b@mail.ru"]), ["replyto"], registry: reg), 1)
        XCTAssertEqual(evalRun("check_freemail_replyto", EvalFakeSubject(["From:addr": "a@gmail.com", "Reply-To:addr": "a@gmail.com"]), ["replyto"], registry: reg), 0)
        XCTAssertEqual(evalRun("check_freemail_replyto", EvalFakeSubject([
            "From:addr": "a@gmail.com", "Reply-To:addr": "b@mail.ru", "EnvelopeFrom": "bounce-123@lists.example.com\n"]), ["replyto"], registry: reg), 0)
        // Reply-To freemail, From corporate, a different freemail in the body.
        let body = EvalFakeSubject(["From:addr": "a@corp.com", "Reply-To:addr": "b@gmail.com"],
                               body: ["Subject line", "Contact me at other.person@mail.ru today"])
        XCTAssertEqual(evalRun("check_freemail_replyto", body, ["replyto"], registry: reg), 1)
        XCTAssertEqual(evalRun("check_freemail_replyto", body, ["reply"], registry: reg), 0) // From is not freemail
        let replyOnly = EvalFakeSubject(["From:addr": "a@gmail.com"], body: ["write to z@mail.ru"])
        XCTAssertEqual(evalRun("check_freemail_replyto", replyOnly, ["reply"], registry: reg), 1)
        XCTAssertEqual(evalRun("check_freemail_body", replyOnly, registry: reg), 1)
        // Too many freemails in the body: skipped.
        let many = EvalFakeSubject(["From:addr": "a@gmail.com"], body: ["a1@mail.ru a2@mail.ru a3@mail.ru"])
        XCTAssertEqual(evalRun("check_freemail_body", many, registry: reg), 0)
        // An address directly followed by "word:" is stripped, as SpamAssassin does.
        XCTAssertEqual(evalRun("check_freemail_body", EvalFakeSubject([:], body: ["z@mail.ru Phone: 123"]), registry: reg), 1)
        XCTAssertEqual(evalRun("check_freemail_body", EvalFakeSubject([:], body: ["z@mail.ru Sent: x"]), registry: reg), 0)
    }
}

final class EvalWLBLTests: XCTestCase {
    /// Entries only the exact-address comparison can match: `(` and `\` compile to a
    /// literal `_` in the glob, and a precomposed entry is canonically equal to a
    /// decomposed address with other bytes.
    func testExactAddressPath() {
        let a = Array("A(B@X.example".utf8), c = Array("c\\d@x.example".utf8)
        let ascii = EvalAddressList(["a(b@x.example", "c\\d@x.example"])
        XCTAssertTrue(ascii.contains(a))
        XCTAssertTrue(ascii.contains(c))
        XCTAssertTrue(ascii.contains(Array("a_b@x.example".utf8)), "the glob's literal _")
        XCTAssertFalse(ascii.contains(Array("a(c@x.example".utf8)))

        // A non-ASCII entry: every address is compared as a String.
        let mixed = EvalAddressList(["j\u{F6}rg@x.example", "a(b@x.example"])
        XCTAssertTrue(mixed.contains(Array("jo\u{308}rg@x.example".utf8)))
        XCTAssertTrue(mixed.contains(a))
        XCTAssertFalse(mixed.contains(Array("jorg@x.example".utf8)))
        XCTAssertFalse(AddressGlob("j\u{F6}rg@x.example").matches(Array("jo\u{308}rg@x.example".utf8)[...]))

        // `add` after `compileMatcher`: the entry counts before the matcher is rebuilt.
        var added = EvalAddressList(["a(b@x.example"])
        added.add("E(F@x.example")
        XCTAssertTrue(added.contains(Array("e(f@x.example".utf8)))
        XCTAssertTrue(added.contains(a))
        added.compileMatcher()
        XCTAssertTrue(added.contains(Array("e(f@x.example".utf8)))
    }

    func testFromLists() {
        let config = evalConfig(["enlist_addrlist": "(BANKS) *@bank.com *@*.bank.co.uk|(PAYPAL) service@paypal.com"],
                                welcomelist: ["*@friend.org", "boss@work.com"], blocklist: ["*@spam?.net"])
        let reg = evalRegistry(config)
        XCTAssertEqual(evalRun("check_from_in_welcomelist", EvalFakeSubject(["From:addr": "Me@Friend.org"]), registry: reg), 1)
        XCTAssertEqual(evalRun("check_from_in_whitelist", EvalFakeSubject(["From:addr": "boss@work.com"]), registry: reg), 1)
        XCTAssertEqual(evalRun("check_from_in_welcomelist", EvalFakeSubject(["From:addr": "boss@work.com.evil"]), registry: reg), 0)
        XCTAssertEqual(evalRun("check_from_in_welcomelist", EvalFakeSubject(["From:addr": "x@corp.com", "Resent-From:addr": "y@friend.org"]), registry: reg), 1)
        XCTAssertEqual(evalRun("check_from_in_blocklist", EvalFakeSubject(["From:addr": "a@spam1.net"]), registry: reg), 1)
        XCTAssertEqual(evalRun("check_from_in_blocklist", EvalFakeSubject(["From:addr": "a@spam12.net"]), registry: reg), 0)
        XCTAssertEqual(evalRun("check_from_in_list", EvalFakeSubject(["From:addr": "x@mail.bank.co.uk"]), ["BANKS"], registry: reg), 1)
        XCTAssertEqual(evalRun("check_from_in_list", EvalFakeSubject(["From:addr": "x@bank.co.uk"]), ["BANKS"], registry: reg), 0)
        XCTAssertEqual(evalRun("check_from_in_list", EvalFakeSubject(["From:addr": "x@bank.com"]), ["NOPE"], registry: reg), 0)
        XCTAssertEqual(evalRun("check_replyto_in_list", EvalFakeSubject(["Reply-To:addr": "service@paypal.com"]), ["PAYPAL"], registry: reg), 1)
    }

    func testFromRcvd() {
        let config = evalConfig(["def_welcomelist_from_rcvd": "*@amazon.com amazon.com|*@ip.example [10.1.2]"],
                                rcvd: [("*@friend.org", "friend.org")])
        let reg = evalRegistry(config)
        let relays = "[ ip=1.2.3.4 rdns=mx1.friend.org helo=x by=y ident= envfrom= intl=0 id= auth= msa=0 ]"
        XCTAssertEqual(evalRun("check_from_in_welcomelist", EvalFakeSubject(["From:addr": "a@friend.org", "X-Spam-Relays-Untrusted": relays]), registry: reg), 1)
        let forged = EvalFakeSubject(["From:addr": "a@friend.org",
                                  "X-Spam-Relays-Untrusted": "[ ip=5.6.7.8 rdns=evil.net helo=x by=y ident= envfrom= intl=0 id= auth= msa=0 ]"])
        XCTAssertEqual(evalRun("check_from_in_welcomelist", forged, registry: reg), 0)
        XCTAssertEqual(evalRun("check_forged_in_welcomelist", forged, registry: reg), 1)
        XCTAssertEqual(evalRun("check_from_in_default_welcomelist", EvalFakeSubject([
            "From:addr": "x@amazon.com",
            "X-Spam-Relays-Untrusted": "[ ip=1.2.3.4 rdns=smtp-out.amazon.com helo=x by=y ident= envfrom= intl=0 id= auth= msa=0 ]"]), registry: reg), 1)
        XCTAssertEqual(evalRun("check_from_in_default_welcomelist", EvalFakeSubject([
            "From:addr": "x@ip.example",
            "X-Spam-Relays-Untrusted": "[ ip=10.1.2.9 rdns= helo=x by=y ident= envfrom= intl=0 id= auth= msa=0 ]"]), registry: reg), 1)
        // No relays at all: the rcvd lists never match (SpamAssassin returns 0 too).
        XCTAssertEqual(evalRun("check_forged_in_welcomelist", EvalFakeSubject(["From:addr": "a@friend.org"]), registry: reg), 0)
    }

    func testGlobPattern() {
        XCTAssertEqual(EvalAddressList.pattern("*@Example.com"), "^.*\\@example\\.com$")
        XCTAssertEqual(EvalAddressList.pattern("a**b?c"), "^a.*b.c$")
    }
}
