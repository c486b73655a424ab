import XCTest
@testable import IMAP

/// Table-driven parse tests: every command, each case tagged with its `#line`, parsed whole,
/// one byte at a time and in random splits.
final class CommandParseTests: XCTestCase {
    private struct Case {
        let input: String
        let expected: Command
        let line: UInt

        init(_ input: String, _ expected: Command, line: UInt = #line) {
            self.input = input
            self.expected = expected
            self.line = line
        }
    }

    private func check(_ cases: [Case]) {
        for testCase in cases {
            // The name a command reports is the one it was parsed from.
            let words = testCase.input.uppercased().split(separator: " ")
            let name = words.first == "UID" ? words.prefix(2).joined(separator: " ") : String(words[0])
            XCTAssertEqual(testCase.expected.name, name, line: testCase.line)
            let input = bytes("A1 " + testCase.input + "\r\n")
            for chunking in Chunking.all {
                let events = ParserDriver.commandEvents(input, chunking: chunking)
                XCTAssertEqual(
                    events, [.command(TaggedCommand(tag: Tag("A1"), command: testCase.expected))],
                    "\(testCase.input.debugDescription), \(chunking)", line: testCase.line)
            }
        }
    }

    private static let box = MailboxName("box")

    func testAnyStateAndNotAuthenticatedCommands() {
        check([
            Case("CAPABILITY", .capability),
            Case("capability", .capability),
            Case("NOOP", .noop),
            Case("LOGOUT", .logout),
            Case("STARTTLS", .startTLS),
            Case("ID NIL", .id(nil)),
            Case("ID ()", .id([])),
            Case(#"ID ("name" "mutt" "version" NIL)"#, .id([IDParameter("name", "mutt"), IDParameter("version", nil)])),
            Case("AUTHENTICATE PLAIN", .authenticate(mechanism: "PLAIN", initialResponse: nil)),
            Case("authenticate plain =", .authenticate(mechanism: "PLAIN", initialResponse: .data([]))),
            Case(
                "AUTHENTICATE PLAIN AHVzZXIAcGFzcw==",
                .authenticate(mechanism: "PLAIN", initialResponse: .data(bytes("\0user\0pass")))),
            Case("LOGIN user pass", .login(username: bytes("user"), password: bytes("pass"))),
            Case(#"LOGIN "us\"er" "p\\ass""#, .login(username: bytes("us\"er"), password: bytes("p\\ass"))),
            Case("LOGIN {4}\r\nuser {6+}\r\np ss\r\n", .login(username: bytes("user"), password: bytes("p ss\r\n"))),
            Case("LOGIN \"jos\u{E9}\" \"p\u{E4}ss\"", .login(username: bytes("jos\u{E9}"), password: bytes("p\u{E4}ss"))),
            Case("LOGIN u {0}\r\n", .login(username: bytes("u"), password: [])),
        ])
    }

    func testAuthenticatedStateCommands() {
        check([
            Case("ENABLE CONDSTORE qresync", .enable(["CONDSTORE", "QRESYNC"])),
            Case("NAMESPACE", .namespace),
            Case("SELECT INBOX", .select(.inbox, [])),
            Case("SELECT inbox", .select(.inbox, [])),
            Case(#"SELECT "InBoX""#, .select(.inbox, [])),
            Case("SELECT {3}\r\nbox", .select(Self.box, [])),
            Case("SELECT box (CONDSTORE)", .select(Self.box, [.condStore])),
            Case(
                "SELECT box (QRESYNC (67890007 20050715194045000 41,43:211,214:541))",
                .select(
                    Self.box,
                    [.qresync(QResyncParameter(
                        uidValidity: 67_890_007, modSeq: 20_050_715_194_045_000,
                        knownUIDs: .ranges([.init(.number(41)), .init(.number(43), .number(211)), .init(.number(214), .number(541))])))])),
            Case(
                "EXAMINE box (QRESYNC (1 2 1:9 (1:3 5:7)))",
                .examine(
                    Self.box,
                    [.qresync(QResyncParameter(
                        uidValidity: 1, modSeq: 2, knownUIDs: .ranges([.init(.number(1), .number(9))]),
                        sequenceMatch: SequenceMatch(
                            knownSequenceSet: .ranges([.init(.number(1), .number(3))]),
                            knownUIDSet: .ranges([.init(.number(5), .number(7))]))))])),
            Case("EXAMINE box", .examine(Self.box, [])),
            Case("CREATE box", .create(Self.box, [])),
            Case(#"CREATE "Sent Items" (USE (\Sent))"#, .create(MailboxName("Sent Items"), [.use(["\\Sent"])])),
            Case("DELETE box", .delete(Self.box)),
            Case("RENAME box \"new box\"", .rename(from: Self.box, to: MailboxName("new box"))),
            Case("SUBSCRIBE box", .subscribe(Self.box)),
            Case("UNSUBSCRIBE box", .unsubscribe(Self.box)),
            Case(#"LIST "" *"#, .list(ListCommand(reference: MailboxName(""), patterns: [bytes("*")]))),
            Case(#"LIST "" %/a]b"#, .list(ListCommand(reference: MailboxName(""), patterns: [bytes("%/a]b")]))),
            Case(
                #"LIST (SUBSCRIBED RECURSIVEMATCH) "" ("a*" b%) RETURN (CHILDREN STATUS (MESSAGES UNSEEN SIZE) SPECIAL-USE)"#,
                .list(ListCommand(
                    selectionOptions: [.subscribed, .recursiveMatch], reference: MailboxName(""),
                    patterns: [bytes("a*"), bytes("b%")],
                    returnOptions: [.children, .status([.messages, .unseen, .size]), .specialUse]))),
            Case(
                #"LIST (SPECIAL-USE REMOTE) "" * RETURN ()"#,
                .list(ListCommand(selectionOptions: [.specialUse, .remote], reference: MailboxName(""), patterns: [bytes("*")]))),
            Case(#"LSUB "" %"#, .lsub(reference: MailboxName(""), pattern: bytes("%"))),
            Case(
                "STATUS box (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ APPENDLIMIT)",
                .status(Self.box, StatusAttribute.allCases)),
            Case("IDLE", .idle),
            Case(#"GETQUOTA """#, .getQuota(root: [])),
            Case("GETQUOTAROOT INBOX", .getQuotaRoot(.inbox)),
            Case(#"SETQUOTA "" (STORAGE 512 message 100)"#, .setQuota(root: [], [QuotaLimit(resource: "STORAGE", limit: 512), QuotaLimit(resource: "MESSAGE", limit: 100)])),
        ])
    }

    func testSelectedStateCommands() {
        let oneToStar = SequenceSet.ranges([SequenceRange(.number(1), .last)])
        check([
            Case("CHECK", .check),
            Case("CLOSE", .close),
            Case("UNSELECT", .unselect),
            Case("EXPUNGE", .expunge),
            Case("UID EXPUNGE 3:5,9", .uidExpunge(.ranges([.init(.number(3), .number(5)), .init(.number(9))]))),
            Case("COPY 1:* box", .copy(CopyCommand(set: oneToStar, mailbox: Self.box))),
            Case("UID COPY $ box", .copy(CopyCommand(byUID: true, set: .savedResult, mailbox: Self.box))),
            Case("MOVE *:4 INBOX", .move(CopyCommand(set: .ranges([.init(.last, .number(4))]), mailbox: .inbox))),
            Case("UID MOVE 7 box", .move(CopyCommand(byUID: true, set: .ranges([.init(.number(7))]), mailbox: Self.box))),
            Case("STORE 1 FLAGS (\\Seen)", .store(StoreCommand(set: .ranges([.init(.number(1))]), operation: .replace, flags: [.seen]))),
            Case(
                "STORE 1:2 +FLAGS.SILENT \\Deleted \\Answered",
                .store(StoreCommand(
                    set: .ranges([.init(.number(1), .number(2))]), operation: .add, silent: true, flags: [.deleted, .answered]))),
            Case(
                "UID STORE 5 (UNCHANGEDSINCE 12) -FLAGS ($Forwarded \\Flagged)",
                .store(StoreCommand(
                    byUID: true, set: .ranges([.init(.number(5))]), unchangedSince: 12, operation: .remove,
                    flags: [.keyword("$Forwarded"), .flagged]))),
            Case("STORE 1 FLAGS ()", .store(StoreCommand(set: .ranges([.init(.number(1))]), operation: .replace, flags: []))),
            Case(
                "STORE 1 FLAGS (\\sEEN \\ANSWERED \\flagged \\DELETED \\draft \\Recent \\Other)",
                .store(StoreCommand(
                    set: .ranges([.init(.number(1))]), operation: .replace,
                    flags: [.seen, .answered, .flagged, .deleted, .draft, .recent, .extension("Other")]))),
        ])
    }

    func testFetchAttributesAndMacros() {
        let one = SequenceSet.ranges([SequenceRange(.number(1))])
        func fetch(_ attributes: [FetchAttribute], byUID: Bool = false, modifiers: [FetchModifier] = []) -> Command {
            .fetch(FetchCommand(byUID: byUID, set: one, attributes: attributes, modifiers: modifiers))
        }
        check([
            Case("FETCH 1 ALL", fetch(FetchAttribute.allMacro)),
            Case("FETCH 1 fast", fetch(FetchAttribute.fastMacro)),
            Case("FETCH 1 FULL", fetch(FetchAttribute.fullMacro)),
            Case("FETCH 1 UID", fetch([.uid])),
            Case(
                "FETCH 1 (ENVELOPE FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.TEXT RFC822.SIZE BODY BODYSTRUCTURE UID MODSEQ)",
                fetch([.envelope, .flags, .internalDate, .rfc822, .rfc822Header, .rfc822Text, .rfc822Size, .body, .bodyStructure, .uid, .modSeq])),
            Case("FETCH 1 BODY[]", fetch([.bodySection(SectionSpecifier(), partial: nil, peek: false)])),
            Case(
                "FETCH 1 BODY.PEEK[]<0.1024>",
                fetch([.bodySection(SectionSpecifier(), partial: Partial(offset: 0, length: 1024), peek: true)])),
            Case("FETCH 1 body[header]", fetch([.bodySection(SectionSpecifier(kind: .header), partial: nil, peek: false)])),
            Case("FETCH 1 BODY[TEXT]", fetch([.bodySection(SectionSpecifier(kind: .text), partial: nil, peek: false)])),
            Case("FETCH 1 BODY[1.2.3]", fetch([.bodySection(SectionSpecifier(part: [1, 2, 3]), partial: nil, peek: false)])),
            Case("FETCH 1 BODY[1.MIME]", fetch([.bodySection(SectionSpecifier(part: [1], kind: .mime), partial: nil, peek: false)])),
            Case("FETCH 1 BODY[2.TEXT]<5.10>", fetch([.bodySection(SectionSpecifier(part: [2], kind: .text), partial: Partial(offset: 5, length: 10), peek: false)])),
            Case(
                "FETCH 1 BODY.PEEK[HEADER.FIELDS (From To \"X-Odd Name\")]",
                fetch([.bodySection(SectionSpecifier(kind: .headerFields([bytes("From"), bytes("To"), bytes("X-Odd Name")])), partial: nil, peek: true)])),
            Case(
                "FETCH 1 BODY[1.HEADER.FIELDS.NOT (Received)]",
                fetch([.bodySection(SectionSpecifier(part: [1], kind: .headerFieldsNot([bytes("Received")])), partial: nil, peek: false)])),
            Case("FETCH 1 BINARY[]", fetch([.binary(part: [], partial: nil, peek: false)])),
            Case("FETCH 1 BINARY.PEEK[1.2]<0.10>", fetch([.binary(part: [1, 2], partial: Partial(offset: 0, length: 10), peek: true)])),
            Case("FETCH 1 BINARY.SIZE[3]", fetch([.binarySize(part: [3])])),
            Case("UID FETCH 1 (FLAGS) (CHANGEDSINCE 12345 VANISHED)", fetch([.flags], byUID: true, modifiers: [.changedSince(12345), .vanished])),
        ])
    }

    func testSearchKeys() {
        func search(_ key: SearchKey, byUID: Bool = false, charset: String? = nil, returnOptions: [SearchReturnOption]? = nil) -> Command {
            .search(SearchCommand(byUID: byUID, returnOptions: returnOptions, charset: charset, key: key))
        }
        let date = IMAPDate(day: 1, month: 2, year: 1994)
        check([
            Case("SEARCH ALL", search(.all)),
            Case(
                "SEARCH ANSWERED DELETED DRAFT FLAGGED SEEN UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN NEW OLD RECENT",
                search(.and([.answered, .deleted, .draft, .flagged, .seen, .unanswered, .undeleted, .undraft, .unflagged, .unseen, .new, .old, .recent]))),
            Case("SEARCH KEYWORD $Junk UNKEYWORD foo", search(.and([.keyword("$Junk"), .unkeyword("foo")]))),
            Case(
                #"SEARCH BCC a CC "b c" FROM {3}"# + "\r\n" + #"d@e TO x SUBJECT "" BODY b TEXT t"#,
                search(.and([.bcc(bytes("a")), .cc(bytes("b c")), .from(bytes("d@e")), .to(bytes("x")), .subject([]), .body(bytes("b")), .text(bytes("t"))]))),
            Case(#"SEARCH HEADER Message-ID "<a@b>""#, search(.header(field: bytes("Message-ID"), value: bytes("<a@b>")))),
            Case(
                #"SEARCH BEFORE 1-Feb-1994 ON "1-feb-1994" SINCE 01-FEB-1994 SENTBEFORE 1-Feb-1994 SENTON 1-Feb-1994 SENTSINCE 1-Feb-1994"#,
                search(.and([.before(date), .on(date), .since(date), .sentBefore(date), .sentOn(date), .sentSince(date)]))),
            Case("SEARCH LARGER 100 SMALLER 5000000000", search(.and([.larger(100), .smaller(5_000_000_000)]))),
            Case("SEARCH OLDER 60 YOUNGER 3600", search(.and([.older(60), .younger(3600)]))),
            Case("SEARCH UID 1:*", search(.uid(.ranges([.init(.number(1), .last)])))),
            Case("SEARCH 2,4:* NOT 3", search(.and([.sequenceSet(.ranges([.init(.number(2)), .init(.number(4), .last)])), .not(.sequenceSet(.ranges([.init(.number(3))])))]))),
            Case("SEARCH $", search(.sequenceSet(.savedResult))),
            Case("SEARCH OR SEEN (FLAGGED NOT DELETED)", search(.or(.seen, .and([.flagged, .not(.deleted)])))),
            Case("SEARCH OR (OR SEEN ANSWERED) ((DRAFT))", search(.or(.or(.seen, .answered), .draft))),
            Case("SEARCH MODSEQ 620162338", search(.modSeq(nil, 620_162_338))),
            Case(
                #"SEARCH MODSEQ "/flags/\\draft" all 620162338"#,
                search(.modSeq(ModSeqEntry(name: bytes("/flags/\\draft"), type: .all), 620_162_338))),
            Case("SEARCH CHARSET UTF-8 SUBJECT \"\u{FC}ber\"", search(.subject(bytes("\u{FC}ber")), charset: "UTF-8")),
            Case("UID SEARCH RETURN (MIN MAX ALL COUNT SAVE) UNSEEN", search(.unseen, byUID: true, returnOptions: [.min, .max, .all, .count, .save])),
            Case("SEARCH RETURN () CHARSET US-ASCII ALL", search(.all, charset: "US-ASCII", returnOptions: [])),
        ])
    }

    func testSortAndThread() {
        check([
            Case(
                "SORT (REVERSE ARRIVAL cc DATE FROM SIZE SUBJECT TO DISPLAYFROM DISPLAYTO) UTF-8 ALL",
                .sort(SortCommand(
                    criteria: [.init(reverse: true, .arrival), .init(.cc), .init(.date), .init(.from), .init(.size), .init(.subject), .init(.to),
                               .init(.displayFrom), .init(.displayTo)],
                    charset: "UTF-8", key: .all))),
            Case(
                "UID SORT RETURN (MIN COUNT) (SUBJECT) US-ASCII SEEN 1:5",
                .sort(SortCommand(
                    byUID: true, returnOptions: [.min, .count], criteria: [.init(.subject)], charset: "US-ASCII",
                    key: .and([.seen, .sequenceSet(.ranges([.init(.number(1), .number(5))]))])))),
            Case("THREAD REFERENCES UTF-8 ALL", .thread(ThreadCommand(algorithm: .references, charset: "UTF-8", key: .all))),
            Case("UID THREAD ORDEREDSUBJECT US-ASCII UNDELETED", .thread(ThreadCommand(byUID: true, algorithm: .orderedSubject, charset: "US-ASCII", key: .undeleted))),
        ])
    }

    func testAtomSpecialsInMailboxNamesAndPatterns() {
        check([
            Case("SELECT !#$&'+,-.0123456789:;<=>?@^_`|[}", .select(MailboxName("!#$&'+,-.0123456789:;<=>?@^_`|[}"), [])),
            Case(#"LIST "" !#$&'+,-.:;<=>?@^_`|[}%*"#, .list(ListCommand(reference: MailboxName(""), patterns: [bytes("!#$&'+,-.:;<=>?@^_`|[}%*")]))),
            Case(#"LIST "" ~foo"#, .list(ListCommand(reference: MailboxName(""), patterns: [bytes("~foo")]))),
            Case("SELECT &AOQ-", .select(MailboxName("&AOQ-"), [])),
        ])
    }

    /// APPEND streams: start, each message (its bytes joined here), finish.
    func testAppend() {
        let box = MailboxName("box")
        let date = IMAPDateTime(date: IMAPDate(day: 7, month: 2, year: 1994), hour: 21, minute: 52, second: 25, zoneMinutes: -480)
        let cases: [(String, [CommandParserEvent], UInt)] = [
            ("APPEND box {5}\r\nhello", [.appendMessageStarted(AppendMessageStart(size: 5)), .appendMessageBytes(bytes("hello")), .appendMessageFinished], #line),
            (
                #"APPEND box (\Seen $Junk) " 7-Feb-1994 21:52:25 -0800" {5+}"# + "\r\nhello",
                [.appendMessageStarted(AppendMessageStart(flags: [.seen, .keyword("$Junk")], internalDate: date, size: 5)),
                 .appendMessageBytes(bytes("hello")), .appendMessageFinished], #line
            ),
            (
                "APPEND box () {2}\r\nab (\\Draft) {1-}\r\nc ~{3}\r\nd\0e \"7-Feb-1994 21:52:25 -0800\" {0}\r\n",
                [.appendMessageStarted(AppendMessageStart(size: 2)), .appendMessageBytes(bytes("ab")), .appendMessageFinished,
                 .appendMessageStarted(AppendMessageStart(flags: [.draft], size: 1)), .appendMessageBytes(bytes("c")), .appendMessageFinished,
                 .appendMessageStarted(AppendMessageStart(size: 3, isBinary: true)), .appendMessageBytes([UInt8(ascii: "d"), 0, UInt8(ascii: "e")]),
                 .appendMessageFinished,
                 .appendMessageStarted(AppendMessageStart(internalDate: date, size: 0)), .appendMessageFinished], #line
            ),
            // The message holds what looks like commands, a literal marker and a quote.
            (
                "APPEND box {22}\r\na2 LOGOUT\r\n{5}\r\n\"x\r\n\r\n",
                [.appendMessageStarted(AppendMessageStart(size: 22)), .appendMessageBytes(bytes("a2 LOGOUT\r\n{5}\r\n\"x\r\n\r\n")), .appendMessageFinished], #line
            ),
        ]
        for (input, messages, line) in cases {
            for chunking in Chunking.all {
                XCTAssertEqual(
                    ParserDriver.commandEvents(bytes("A1 " + input + "\r\n"), chunking: chunking),
                    [.appendStarted(tag: Tag("A1"), mailbox: box)] + messages + [.appendFinished], "\(chunking)", line: line)
            }
        }
        // A mailbox name sent as a literal is collected, not streamed.
        XCTAssertEqual(
            ParserDriver.commandEvents(bytes("A1 APPEND {3}\r\nbox {1}\r\nx\r\n"), chunking: .byteAtATime),
            [.appendStarted(tag: Tag("A1"), mailbox: box), .appendMessageStarted(AppendMessageStart(size: 1)), .appendMessageBytes(bytes("x")),
             .appendMessageFinished, .appendFinished])
    }

    func testTagsKeepTheirBytes() {
        let events = ParserDriver.commandEvents(bytes("x.y_z]1 NOOP\r\n*tag NOOP\r\n"))
        XCTAssertEqual(events.first, .command(TaggedCommand(tag: Tag("x.y_z]1"), command: .noop)))
        guard case .error(let error) = events.last else { return XCTFail("\(events)") }
        XCTAssertNil(error.tag)
    }

    func testBareLineFeedAndEmptyLines() {
        let events = ParserDriver.commandEvents(bytes("\r\n\na NOOP\nb LOGOUT\r\n"))
        XCTAssertEqual(events, [.command(TaggedCommand(tag: Tag("a"), command: .noop)), .command(TaggedCommand(tag: Tag("b"), command: .logout))])
    }
}
