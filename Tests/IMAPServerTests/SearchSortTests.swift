import IMAP
import XCTest
@testable import IMAPServer

/// SORT criteria (RFC 5256 §3, RFC 5957) on hand-made messages, and the base subject of
/// RFC 5256 §2.1.
final class SearchSortTests: XCTestCase {
    private func sort(_ criteria: String, _ mailbox: SearchTestMailbox, readLog: ReadLog = ReadLog()) throws -> [UInt32] {
        guard case .sort(let command)? = parseCommand("t SORT (\(criteria)) UTF-8 ALL")?.command else {
            throw SearchTestMailbox.UnparsableKey(key: criteria)
        }
        return try mailbox.evaluator(readLog: readLog).sort(command.criteria, key: command.key, charset: command.charset)
            .numbers(byUID: false)
    }

    /// ARRIVAL and SIZE come from the index: no file is read.
    func testArrivalAndSizeReadNoFile() throws {
        var mailbox = SearchTestMailbox()
        mailbox.append("\n123456\n", internalDate: 300)
        mailbox.append("\n1\n", internalDate: 100)
        mailbox.append("\n12\n", internalDate: 300)
        let log = ReadLog()
        XCTAssertEqual(try sort("ARRIVAL", mailbox, readLog: log), [2, 1, 3])
        XCTAssertEqual(try sort("REVERSE ARRIVAL", mailbox, readLog: log), [1, 3, 2], "ties stay in sequence order")
        XCTAssertEqual(try sort("SIZE", mailbox, readLog: log), [2, 3, 1])
        XCTAssertEqual(try sort("ARRIVAL REVERSE SIZE", mailbox, readLog: log), [2, 1, 3])
        XCTAssertEqual(log.uids, [])
    }

    /// DATE: the Date: header in UTC, the internal date when missing or unreadable.
    func testDateFallsBackToInternalDate() throws {
        var mailbox = SearchTestMailbox()
        mailbox.append("Date: Mon, 1 Jan 2024 12:00:00 +0500\n\nx\n", internalDate: 0)  // 07:00 UTC
        mailbox.append("Subject: none\n\nx\n", internalDate: 1_704_092_400)  // 2024-01-01 07:00 UTC → tie, seq
        mailbox.append("Date: Mon, 1 Jan 2024 06:00:00 -0000\n\nx\n", internalDate: 0)
        mailbox.append("Date: not a date\n\nx\n", internalDate: 1)
        XCTAssertEqual(try sort("DATE", mailbox), [4, 3, 1, 2])
        XCTAssertEqual(try sort("REVERSE DATE", mailbox), [1, 2, 3, 4])
    }

    /// FROM/TO/CC sort on the first address's local part, case folded; missing is empty.
    func testAddressCriteria() throws {
        let mailbox = SearchTestMailbox([
            "From: Zed <alice@z.example>\nTo: b@x\nCc: c@x\n\nx\n",
            "From: Alice <Bob@a.example>, aaron@x\nTo: A@y\n\nx\n",
            "To: undisclosed:;\n\nx\n",
        ])
        XCTAssertEqual(try sort("FROM", mailbox), [3, 1, 2])
        XCTAssertEqual(try sort("TO", mailbox), [2, 1, 3], "a group sorts by its name")
        XCTAssertEqual(try sort("CC", mailbox), [2, 3, 1])
        XCTAssertEqual(try sort("REVERSE FROM", mailbox), [2, 1, 3])
    }

    /// DISPLAYFROM/DISPLAYTO (RFC 5957): the decoded display name, else the address.
    func testDisplayCriteria() throws {
        let mailbox = SearchTestMailbox([
            "From: =?utf-8?q?=C3=89mile?= <z@example.org>\nTo: zz@example.org\n\nx\n",
            "From: daniel@example.org\nTo: \"Anna\" <y@example.org>\n\nx\n",
            "From: \"emma\" <a@example.org>\n\nx\n",
        ])
        XCTAssertEqual(try sort("DISPLAYFROM", mailbox), [2, 3, 1], "d < e < É (E + U+0301 after E + M)")
        XCTAssertEqual(try sort("DISPLAYTO", mailbox), [3, 2, 1])
    }

    /// Odd addresses from the corpus, sorted as Dovecot sorts them: a ':' inside `<…>` that
    /// is not a route (`<C:x@y>`) stays in the local part; an empty quoted word still
    /// counts in a display name (`"" Angles " Puglisi"` is ` Angles  Puglisi`); what is
    /// missing is filled as Dovecot fills it (`MISSING_MAILBOX`, `MISSING_DOMAIN`); words
    /// without `@` are a name; an unterminated quote loses the whole mailbox.
    func testOddAddressesSortAsDovecotDoes() throws {
        let mailbox = SearchTestMailbox([
            "From: b@x\nTo: <cce@x>\n\nx\n",
            "From: \"\" Angles \" Puglisi\" <angles@x>\nTo: <C:`Bulk.txt@x>\n\nx\n",
            "From: 12a@x\nTo: <@route,@r2:b@x>\n\nx\n",
            "From: cc dd ee\nTo: \"\" <>\n\nx\n",
            "From: c\nTo: \"unterminated <a@x>\n\nx\n",
        ])
        XCTAssertEqual(try sort("TO", mailbox), [3, 2, 1, 4, 5], "b < C:`Bulk (':' sorts before 'C') < cce < MISSING_MAILBOX")
        XCTAssertEqual(try sort("DISPLAYFROM", mailbox), [2, 3, 1, 5, 4],
                       "a leading space sorts first; `c` is c@MISSING_DOMAIN, `cc dd ee` a name")
        XCTAssertEqual(try sort("FROM", mailbox), [3, 2, 1, 5, 4], "12a < angles < b < c < MISSING_MAILBOX")
    }

    /// SUBJECT sorts by base subject, case folded.
    func testSubjectCriterion() throws {
        let mailbox = SearchTestMailbox([
            "Subject: Re: beta\n\nx\n", "Subject: [list] Alpha (fwd)\n\nx\n", "Subject: BETA\n\nx\n", "\nno subject\n",
        ])
        XCTAssertEqual(try sort("SUBJECT", mailbox), [4, 2, 1, 3])
        XCTAssertEqual(try sort("SUBJECT REVERSE ARRIVAL", mailbox), [4, 2, 3, 1])
    }

    func testBaseSubject() {
        let cases: [(String, String, Bool)] = [
            ("Re: hello", "hello", true),
            ("RE: re: Fwd:  hello  (fwd) (FWD)", "hello", true),
            ("[list] Re: [other] hello", "hello", true),
            ("[list] hello", "hello", false),
            ("[only a blob]", "[only a blob]", false),
            ("[Fwd: Re: hello]", "hello", true),
            ("re: [fwd: [fwd: re: [fwd: babylon]]]", "babylon", true),
            ("Re [x]: hi", "hi", true),
            ("Ad: Re: x", "Ad: Re: x", false),
            ("  tabs\tand \t spaces  ", "tabs and spaces", false),
            ("Fw: ", "", true),
            ("Reply: keep", "Reply: keep", false),
        ]
        for (subject, base, reply) in cases {
            let result = BaseSubject(subject)
            XCTAssertEqual(result.text, base, subject)
            XCTAssertEqual(result.isReplyOrForward, reply, subject)
        }
    }
}
