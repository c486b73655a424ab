import XCTest
@testable import IMAP

/// What each response looks like on the wire, each case tagged with its `#line`.
final class ResponseEncoderTests: XCTestCase {
    private struct Case {
        let response: Response
        let expected: String
        let options: ResponseEncoder.Options
        let line: UInt

        init(_ response: Response, _ expected: String, options: ResponseEncoder.Options = .init(), line: UInt = #line) {
            self.response = response
            self.expected = expected
            self.options = options
            self.line = line
        }
    }

    private func check(_ cases: [Case]) {
        for testCase in cases {
            let encoded = ResponseEncoder(options: testCase.options).encode(testCase.response)
            XCTAssertEqual(String(decoding: encoded, as: UTF8.self), testCase.expected + "\r\n", line: testCase.line)
        }
    }

    private static func tagged(_ status: TaggedResponse.Status, _ code: ResponseCode?, _ text: String = "done") -> Response {
        .tagged(TaggedResponse(tag: Tag("a1"), status: status, text: ResponseText(code: code, text)))
    }

    private static func tagged(_ code: ResponseCode?) -> Response { tagged(.ok, code) }

    func testTaggedResponsesAndCodes() {
        let uids = NumberSet([4, 5, 6, 9])
        check([
            Case(Self.tagged(nil), "a1 OK done"),
            Case(Self.tagged(.no, nil, "no\r\nway"), "a1 NO no  way"),
            Case(Self.tagged(.bad, .parse, ""), "a1 BAD [PARSE]"),
            Case(Self.tagged(.ok, nil, ""), "a1 OK"),
            Case(Self.tagged(.alert), "a1 OK [ALERT] done"),
            Case(Self.tagged(.no, .badCharset([])), "a1 NO [BADCHARSET] done"),
            Case(Self.tagged(.no, .badCharset(["UTF-8", "US-ASCII"])), "a1 NO [BADCHARSET (UTF-8 US-ASCII)] done"),
            Case(Self.tagged(.capability(["IMAP4rev1", "IMAP4rev2", "IDLE"])), "a1 OK [CAPABILITY IMAP4rev1 IMAP4rev2 IDLE] done"),
            Case(Self.tagged(.permanentFlags([.answered, .seen, .mayCreateKeywords])), #"a1 OK [PERMANENTFLAGS (\Answered \Seen \*)] done"#),
            Case(Self.tagged(.readOnly), "a1 OK [READ-ONLY] done"),
            Case(Self.tagged(.readWrite), "a1 OK [READ-WRITE] done"),
            Case(Self.tagged(.no, .tryCreate), "a1 NO [TRYCREATE] done"),
            Case(Self.tagged(.uidNext(4392)), "a1 OK [UIDNEXT 4392] done"),
            Case(Self.tagged(.uidValidity(3_857_529_045)), "a1 OK [UIDVALIDITY 3857529045] done"),
            Case(Self.tagged(.unseen(12)), "a1 OK [UNSEEN 12] done"),
            Case(Self.tagged(.appendUID(uidValidity: 38505, uids: NumberSet([3955]))), "a1 OK [APPENDUID 38505 3955] done"),
            Case(Self.tagged(.copyUID(uidValidity: 38505, source: NumberSet([304, 319, 320, 321]), destination: uids)),
                 "a1 OK [COPYUID 38505 304,319:321 4:6,9] done"),
            Case(Self.tagged(.uidNotSticky), "a1 OK [UIDNOTSTICKY] done"),
            Case(Self.tagged(.highestModSeq(715_194_045_007)), "a1 OK [HIGHESTMODSEQ 715194045007] done"),
            Case(Self.tagged(.noModSeq), "a1 OK [NOMODSEQ] done"),
            Case(Self.tagged(.modified(NumberSet([7, 9]))), "a1 OK [MODIFIED 7,9] done"),
            Case(Self.tagged(.closed), "a1 OK [CLOSED] done"),
            Case(Self.tagged(.no, .alreadyExists), "a1 NO [ALREADYEXISTS] done"),
            Case(Self.tagged(.no, .nonExistent), "a1 NO [NONEXISTENT] done"),
            Case(Self.tagged(.no, .authenticationFailed), "a1 NO [AUTHENTICATIONFAILED] done"),
            Case(Self.tagged(.no, .authorizationFailed), "a1 NO [AUTHORIZATIONFAILED] done"),
            Case(Self.tagged(.no, .expired), "a1 NO [EXPIRED] done"),
            Case(Self.tagged(.no, .privacyRequired), "a1 NO [PRIVACYREQUIRED] done"),
            Case(Self.tagged(.no, .unavailable), "a1 NO [UNAVAILABLE] done"),
            Case(Self.tagged(.no, .limit), "a1 NO [LIMIT] done"),
            Case(Self.tagged(.no, .overQuota), "a1 NO [OVERQUOTA] done"),
            Case(Self.tagged(.no, .inUse), "a1 NO [INUSE] done"),
            Case(Self.tagged(.no, .serverBug), "a1 NO [SERVERBUG] done"),
            Case(Self.tagged(.bad, .clientBug), "a1 BAD [CLIENTBUG] done"),
            Case(Self.tagged(.no, .cannot), "a1 NO [CANNOT] done"),
            Case(Self.tagged(.no, .noPerm), "a1 NO [NOPERM] done"),
            Case(Self.tagged(.no, .contactAdmin), "a1 NO [CONTACTADMIN] done"),
            Case(Self.tagged(.no, .expungeIssued), "a1 NO [EXPUNGEISSUED] done"),
            Case(Self.tagged(.no, .corruption), "a1 NO [CORRUPTION] done"),
            Case(Self.tagged(.no, .hasChildren), "a1 NO [HASCHILDREN] done"),
            Case(Self.tagged(.no, .tooBig), "a1 NO [TOOBIG] done"),
            Case(Self.tagged(.no, .unknownCTE), "a1 NO [UNKNOWN-CTE] done"),
            Case(Self.tagged(.other("X-THING", "a]b")), "a1 OK [X-THING a b] done"),
            Case(Self.tagged(.other("X-BARE", nil)), "a1 OK [X-BARE] done"),
        ])
    }

    func testUntaggedResponses() {
        let inbox = MailboxName.inbox
        check([
            Case(.untagged(.condition(.ok, ResponseText(code: .uidValidity(1), "UIDs valid"))), "* OK [UIDVALIDITY 1] UIDs valid"),
            Case(.untagged(.condition(.no, ResponseText("disk"))), "* NO disk"),
            Case(.untagged(.bye(ResponseText("Too long command line"))), "* BYE Too long command line"),
            Case(.untagged(.bye(ResponseText(""))), "* BYE"),
            Case(.untagged(.preauth(ResponseText(code: .capability(["IMAP4rev1"]), "hi"))), "* PREAUTH [CAPABILITY IMAP4rev1] hi"),
            Case(.untagged(.capability(["IMAP4rev1", "STARTTLS", "LOGINDISABLED"])), "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED"),
            Case(.untagged(.enabled(["CONDSTORE"])), "* ENABLED CONDSTORE"),
            Case(.untagged(.enabled([])), "* ENABLED"),
            Case(.untagged(.id(nil)), "* ID NIL"),
            Case(.untagged(.id([IDParameter("name", "Moat"), IDParameter("os", nil)])), #"* ID ("name" "Moat" "os" NIL)"#),
            Case(.untagged(.namespace(NamespaceResponse(personal: [Namespace(prefix: "", delimiter: "/")]))), #"* NAMESPACE (("" "/")) NIL NIL"#),
            Case(
                .untagged(.namespace(NamespaceResponse(personal: [Namespace(prefix: "", delimiter: ".")], shared: [Namespace(prefix: "Shared.", delimiter: nil)]))),
                #"* NAMESPACE (("" ".")) NIL (("Shared." NIL))"#),
            Case(.untagged(.list(ListResponse(attributes: ["\\HasNoChildren"], delimiter: "/", mailbox: inbox))), #"* LIST (\HasNoChildren) "/" INBOX"#),
            Case(.untagged(.list(ListResponse(attributes: [], delimiter: nil, mailbox: MailboxName("a b")))), #"* LIST () NIL "a b""#),
            Case(.untagged(.list(ListResponse(attributes: [], delimiter: "\\", mailbox: MailboxName("nil")))), #"* LIST () "\\" "nil""#),
            Case(
                .untagged(.list(ListResponse(attributes: ["\\Sent"], delimiter: "/", mailbox: MailboxName("Sent"), childInfo: ["SUBSCRIBED"]))),
                #"* LIST (\Sent) "/" Sent ("CHILDINFO" ("SUBSCRIBED"))"#),
            Case(
                .untagged(.list(ListResponse(attributes: [], delimiter: "/", mailbox: MailboxName("New"), oldName: MailboxName("Old")))),
                #"* LIST () "/" New ("OLDNAME" (Old))"#),
            Case(.untagged(.lsub(ListResponse(attributes: ["\\Noselect"], delimiter: ".", mailbox: MailboxName("#news")))), #"* LSUB (\Noselect) "." #news"#),
            Case(
                .untagged(.status(MailboxName("blurdybloop"), [StatusItem(.messages, 231), StatusItem(.uidNext, 44292), StatusItem(.appendLimit, nil)])),
                "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 APPENDLIMIT NIL)"),
            Case(.untagged(.flags([.answered, .flagged, .deleted, .seen, .draft, .keyword("$Junk")])), #"* FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Junk)"#),
            // A keyword that is no atom (from a damaged keywords file) is left out, never sent.
            Case(.untagged(.flags([.seen, .keyword("two words"), .keyword("x\r\n* BYE"), .keyword(""), .keyword("$ok")])), #"* FLAGS (\Seen $ok)"#),
            Case(.untagged(.exists(23)), "* 23 EXISTS"),
            Case(.untagged(.recent(5)), "* 5 RECENT"),
            Case(.untagged(.expunge(44)), "* 44 EXPUNGE"),
            Case(.untagged(.vanished(earlier: true, NumberSet([41, 43, 44, 45]))), "* VANISHED (EARLIER) 41,43:45"),
            Case(.untagged(.vanished(earlier: false, NumberSet([405]))), "* VANISHED 405"),
            Case(.untagged(.search([2, 3, 6], modSeq: nil)), "* SEARCH 2 3 6"),
            Case(.untagged(.search([], modSeq: nil)), "* SEARCH"),
            Case(.untagged(.search([2, 5], modSeq: 917_162_500)), "* SEARCH 2 5 (MODSEQ 917162500)"),
            Case(.untagged(.sort([5, 3, 4, 1, 2], modSeq: nil)), "* SORT 5 3 4 1 2"),
            Case(
                .untagged(.esearch(ESearchResponse(correlator: Tag("a1"), byUID: true, min: 7, max: 3800, all: NumberSet([7, 8, 9, 20]), count: 4, modSeq: 9))),
                #"* ESEARCH (TAG "a1") UID MIN 7 MAX 3800 ALL 7:9,20 COUNT 4 MODSEQ 9"#),
            Case(.untagged(.esearch(ESearchResponse(correlator: Tag("a1"), byUID: false, count: 0))), #"* ESEARCH (TAG "a1") COUNT 0"#),
            Case(.untagged(.quota(root: [], [QuotaUsage(resource: "STORAGE", usage: 10, limit: 512)])), #"* QUOTA "" (STORAGE 10 512)"#),
            Case(.untagged(.quotaRoot(inbox, roots: [[]])), #"* QUOTAROOT INBOX """#),
            Case(.continuation(.text("Ready for literal data")), "+ Ready for literal data"),
            Case(.continuation(.challenge([])), "+ "),
            Case(.continuation(.challenge(bytes("\0user\0pass"))), "+ AHVzZXIAcGFzcw=="),
        ])
    }

    /// RFC 5256 §4's examples.
    func testThreads() {
        func node(_ message: UInt32?, _ children: [ThreadNode] = []) -> ThreadNode { ThreadNode(message: message, children: children) }
        check([
            Case(.untagged(.thread([])), "* THREAD"),
            Case(
                .untagged(.thread([node(2), node(3, [node(6, [node(4, [node(23)]), node(44, [node(7, [node(96)])])])])])),
                "* THREAD (2)(3 6 (4 23)(44 7 96))"),
            Case(.untagged(.thread([node(nil, [node(3), node(5)])])), "* THREAD ((3)(5))"),
            Case(.untagged(.thread([node(nil, [node(1, [node(2)])])])), "* THREAD (1 2)"),
        ])
    }

    func testFetchAttributes() {
        let date = IMAPDateTime(date: IMAPDate(day: 7, month: 2, year: 1994), hour: 21, minute: 52, second: 5, zoneMinutes: -480)
        check([
            Case(.untagged(.fetch(12, [.flags([.seen, .recent]), .uid(4827), .modSeq(65402)])), #"* 12 FETCH (FLAGS (\Seen \Recent) UID 4827 MODSEQ (65402))"#),
            Case(.untagged(.fetch(1, [.internalDate(date), .rfc822Size(44827)])), #"* 1 FETCH (INTERNALDATE "07-Feb-1994 21:52:05 -0800" RFC822.SIZE 44827)"#),
            Case(.untagged(.fetch(1, [.bodySection(SectionSpecifier(), origin: nil, data: bytes("Hi\r\n"))])), "* 1 FETCH (BODY[] {4}\r\nHi\r\n)"),
            Case(.untagged(.fetch(1, [.bodySection(SectionSpecifier(part: [1, 2], kind: .mime), origin: 0, data: bytes("abc"))])), #"* 1 FETCH (BODY[1.2.MIME]<0> "abc")"#),
            Case(
                .untagged(.fetch(1, [.bodySection(SectionSpecifier(kind: .headerFields([bytes("From"), bytes("Subject")])), origin: nil, data: nil)])),
                "* 1 FETCH (BODY[HEADER.FIELDS (From Subject)] NIL)"),
            Case(
                .untagged(.fetch(1, [.bodySection(SectionSpecifier(part: [3], kind: .headerFieldsNot([bytes("X")])), origin: nil, data: [])])),
                #"* 1 FETCH (BODY[3.HEADER.FIELDS.NOT (X)] "")"#),
            Case(.untagged(.fetch(1, [.bodySection(SectionSpecifier(part: [2], kind: .text), origin: nil, data: [])])), #"* 1 FETCH (BODY[2.TEXT] "")"#),
            Case(.untagged(.fetch(1, [.binary(part: [1], origin: nil, data: [0x61, 0, 0x62])])), "* 1 FETCH (BINARY[1] ~{3}\r\na\0b)"),
            Case(.untagged(.fetch(1, [.binary(part: [], origin: 5, data: bytes("ab"))])), #"* 1 FETCH (BINARY[]<5> "ab")"#),
            Case(.untagged(.fetch(1, [.binarySize(part: [1, 1], size: 42)])), "* 1 FETCH (BINARY.SIZE[1.1] 42)"),
            Case(.untagged(.fetch(1, [.rfc822(nil), .rfc822Header(bytes("A: b\r\n\r\n")), .rfc822Text(bytes("x"))])),
                 "* 1 FETCH (RFC822 NIL RFC822.HEADER {8}\r\nA: b\r\n\r\n RFC822.TEXT \"x\")"),
        ])
    }

    /// RFC 3501 §7.4.2's envelope example.
    func testEnvelope() {
        let terry = EnvelopeAddress(name: bytes("Terry Gray"), mailbox: bytes("gray"), host: bytes("cac.washington.edu"))
        let envelope = Envelope(
            date: bytes("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"), subject: bytes("IMAP4rev1 WG mtg summary and minutes"),
            from: [terry], sender: [terry], replyTo: [terry],
            to: [EnvelopeAddress(name: nil, mailbox: bytes("imap"), host: bytes("cac.washington.edu"))],
            cc: [EnvelopeAddress(name: nil, mailbox: bytes("minutes"), host: bytes("CNRI.Reston.VA.US")),
                 EnvelopeAddress(name: bytes("John Klensin"), mailbox: bytes("KLENSIN"), host: bytes("MIT.EDU"))],
            messageID: bytes("<B27397-0100000@cac.washington.edu>"))
        check([
            Case(
                .untagged(.fetch(12, [.envelope(envelope)])),
                #"* 12 FETCH (ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" "#
                    + #"(("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) "#
                    + #"(("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) "#
                    + #"((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "#
                    + #""<B27397-0100000@cac.washington.edu>"))"#),
            Case(
                .untagged(.fetch(1, [.envelope(Envelope(to: [.groupStart(bytes("undisclosed")), .groupEnd]))])),
                #"* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL ((NIL NIL "undisclosed" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL))"#),
        ])
    }

    func testBodyStructure() {
        let text = BodyStructure.singlePart(SinglePartBody(
            type: "TEXT", subtype: "PLAIN", fields: BodyFields(parameters: [BodyParameter("CHARSET", "US-ASCII")], octets: 3028),
            kind: .text(lines: 92), extensionData: SinglePartExtension(language: [bytes("en")])))
        let attachment = BodyStructure.singlePart(SinglePartBody(
            type: "APPLICATION", subtype: "PDF", fields: BodyFields(id: bytes("<x@y>"), encoding: "BASE64", octets: 100), kind: .basic,
            extensionData: SinglePartExtension(
                md5: nil, disposition: BodyDisposition(type: bytes("attachment"), parameters: [BodyParameter("FILENAME", "a b.pdf")]),
                language: [bytes("en"), bytes("de")], location: bytes("http://x/"))))
        let inner = BodyStructure.singlePart(SinglePartBody(type: "TEXT", subtype: "PLAIN", fields: BodyFields(octets: 5), kind: .text(lines: 1)))
        let message = BodyStructure.singlePart(SinglePartBody(
            type: "MESSAGE", subtype: "RFC822", fields: BodyFields(octets: 200), kind: .message(Envelope(subject: bytes("fw")), inner, lines: 8)))
        let mixed = BodyStructure.multipart(MultipartBody(
            parts: [text, attachment, message], subtype: "MIXED",
            extensionData: MultipartExtension(parameters: [BodyParameter("BOUNDARY", "--b")])))
        check([
            Case(.untagged(.fetch(1, [.bodyStructure(text)])), #"* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92 NIL NIL ("en") NIL))"#),
            Case(.untagged(.fetch(1, [.body(text)])), #"* 1 FETCH (BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))"#),
            Case(
                .untagged(.fetch(1, [.bodyStructure(mixed)])),
                #"* 1 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92 NIL NIL ("en") NIL)"#
                    + #"("APPLICATION" "PDF" NIL "<x@y>" NIL "BASE64" 100 NIL ("attachment" ("FILENAME" "a b.pdf")) ("en" "de") "http://x/")"#
                    + #"("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 200 (NIL "fw" NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 5 1) 8)"#
                    + #" "MIXED" ("BOUNDARY" "--b") NIL NIL NIL))"#),
            Case(
                .untagged(.fetch(1, [.body(mixed)])),
                #"* 1 FETCH (BODY (("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92)"#
                    + #"("APPLICATION" "PDF" NIL "<x@y>" NIL "BASE64" 100)"#
                    + #"("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 200 (NIL "fw" NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 5 1) 8)"#
                    + #" "MIXED"))"#),
        ])
    }

    /// Strings: quoted with escapes, literal for CR/LF and (without UTF8=ACCEPT) 8-bit, quoted
    /// UTF-8 once accepted; a quote or backslash never goes out unescaped.
    func testStringForms() {
        let utf8 = ResponseEncoder.Options(utf8Accepted: true)
        func subject(_ value: String) -> Response { .untagged(.fetch(1, [.envelope(Envelope(subject: bytes(value)))])) }
        func expected(_ subject: String) -> String { "* 1 FETCH (ENVELOPE (NIL \(subject) NIL NIL NIL NIL NIL NIL NIL NIL))" }
        check([
            Case(subject(#"say "hi" \ bye"#), expected(#""say \"hi\" \\ bye""#)),
            Case(subject("two\r\nlines"), expected("{10}\r\ntwo\r\nlines")),
            Case(subject("gr\u{FC}n"), expected("{5}\r\ngr\u{FC}n")),
            Case(subject("gr\u{FC}n"), expected("\"gr\u{FC}n\""), options: utf8),
            Case(subject(String(repeating: "a", count: 1025)), expected("{1025}\r\n" + String(repeating: "a", count: 1025))),
            Case(.untagged(.list(ListResponse(attributes: [], delimiter: "/", mailbox: MailboxName("Entw\u{FC}rfe")))), "* LIST () \"/\" {9}\r\nEntw\u{FC}rfe"),
            Case(.untagged(.list(ListResponse(attributes: [], delimiter: "/", mailbox: MailboxName("Entw\u{FC}rfe")))), "* LIST () \"/\" \"Entw\u{FC}rfe\"", options: utf8),
        ])
    }

    func testEncodeIntoAppends() {
        var output = bytes("x")
        ResponseEncoder().encode(.untagged(.exists(1)), into: &output)
        XCTAssertEqual(output, bytes("x* 1 EXISTS\r\n"))
    }
}
