import Foundation
import IMAP
import Mailstore
import XCTest
@testable import IMAPServer

/// Keys the index answers: flags, keywords, sets, sizes, dates, MODSEQ, WITHIN, and the
/// promise that none of them opens a message file.
final class SearchIndexKeyTests: XCTestCase {
    private func flagged() -> SearchTestMailbox {
        var mailbox = SearchTestMailbox()
        mailbox.append("Subject: a\n\n1\n", flags: [.seen, .answered])
        mailbox.append("Subject: b\n\n22\n", flags: [.flagged, .draft], keywords: ["$Junk"])
        mailbox.append("Subject: c\n\n333\n", flags: [.deleted], keywords: ["NonJunk", "$Forwarded"])
        mailbox.append("Subject: d\n\n4444\n")
        return mailbox
    }

    func testSystemFlagKeysAndTheirNegations() throws {
        let mailbox = flagged()
        let cases: [(String, [UInt32])] = [
            ("ANSWERED", [1]), ("UNANSWERED", [2, 3, 4]), ("SEEN", [1]), ("UNSEEN", [2, 3, 4]),
            ("FLAGGED", [2]), ("UNFLAGGED", [1, 3, 4]), ("DRAFT", [2]), ("UNDRAFT", [1, 3, 4]),
            ("DELETED", [3]), ("UNDELETED", [1, 2, 4]), ("ALL", [1, 2, 3, 4]),
        ]
        for (key, expected) in cases { XCTAssertEqual(try mailbox.search(key), expected, key) }
    }

    /// \Recent is the session's: RECENT its set, NEW recent and unseen, OLD the others.
    func testRecentIsTheSessions() throws {
        let mailbox = flagged()
        func search(_ key: String, recent: Set<MessageUID>) throws -> [UInt32] {
            guard case .search(let command)? = parseCommand("t1 SEARCH " + key)?.command else { throw ParseFailure() }
            return try mailbox.evaluator(recent: recent).search(command.key).numbers(byUID: false)
        }
        XCTAssertEqual(try search("RECENT", recent: []), [])
        XCTAssertEqual(try search("RECENT", recent: [1, 2]), [1, 2])
        XCTAssertEqual(try search("NEW", recent: [1, 2]), [2], "message 1 is seen")
        XCTAssertEqual(try search("OLD", recent: [1, 2]), [3, 4])
    }

    private struct ParseFailure: Error {}

    /// Keywords compare without regard to case: `$junk` finds `$Junk`.
    func testKeywordsIgnoreCase() throws {
        let mailbox = flagged()
        XCTAssertEqual(try mailbox.search("KEYWORD $junk"), [2])
        XCTAssertEqual(try mailbox.search("KEYWORD nonjunk"), [3])
        XCTAssertEqual(try mailbox.search("UNKEYWORD $Forwarded"), [1, 2, 4])
        XCTAssertEqual(try mailbox.search("KEYWORD Unknown"), [])
    }

    /// LARGER and SMALLER are strict and use RFC822.SIZE (CRLF line ends).
    func testSizeKeysAreStrict() throws {
        let mailbox = flagged()
        let size2 = mailbox.messages[1].size
        XCTAssertEqual(size2, Int64("Subject: b\r\n\r\n22\r\n".utf8.count))
        XCTAssertEqual(try mailbox.search("LARGER \(size2)"), [3, 4])
        XCTAssertEqual(try mailbox.search("SMALLER \(size2)"), [1])
        XCTAssertEqual(try mailbox.search("NOT LARGER \(size2) NOT SMALLER \(size2)"), [2])
    }

    func testSequenceAndUIDSetsWithStar() throws {
        var mailbox = flagged()
        _ = mailbox.expunge()  // message 3 (UID 3) goes: UIDs 1 2 4
        XCTAssertEqual(try mailbox.search("2:*"), [2, 3])
        XCTAssertEqual(try mailbox.search("*:2"), [2, 3])
        XCTAssertEqual(try mailbox.search("UID 3:*"), [3])
        XCTAssertEqual(try mailbox.search("UID 4"), [3])
        XCTAssertEqual(try mailbox.search("UID 1,3"), [1])
        XCTAssertEqual(try mailbox.search("1000"), [])
        XCTAssertEqual(try mailbox.search("OR 1 UID 4"), [1, 3])
        XCTAssertEqual(try mailbox.search("(1,2) NOT (2)"), [1])
        XCTAssertEqual(try mailbox.search("(1 2)"), [], "a parenthesised list is an AND")
    }

    /// `$` is the saved result's UIDs (RFC 5182), whichever set form names it; none saved
    /// is the empty set.
    func testSavedResult() throws {
        let mailbox = flagged()
        XCTAssertEqual(try mailbox.search("$", savedResult: [2, 4]), [2, 4])
        XCTAssertEqual(try mailbox.search("UID $ SEEN", savedResult: [1, 2]), [1])
        XCTAssertEqual(try mailbox.search("$"), [])
    }

    /// BEFORE/ON/SINCE take the internal date's day in the server's zone: 23:30 UTC on
    /// 1 March is already 2 March in Helsinki (+0200).
    func testInternalDateKeysUseTheServerZone() throws {
        var mailbox = SearchTestMailbox()
        let lateFirstOfMarch = Double(CivilDate.daysSinceEpoch(year: 2024, month: 3, day: 1) * 86_400 + 23 * 3600 + 1800)
        mailbox.append("\n", internalDate: lateFirstOfMarch)
        let utc = TimeZone(identifier: "UTC")!
        let helsinki = TimeZone(secondsFromGMT: 7200)!
        XCTAssertEqual(try mailbox.search("ON 1-Mar-2024", timeZone: utc), [1])
        XCTAssertEqual(try mailbox.search("ON 2-Mar-2024", timeZone: helsinki), [1])
        XCTAssertEqual(try mailbox.search("BEFORE 2-Mar-2024", timeZone: utc), [1])
        XCTAssertEqual(try mailbox.search("BEFORE 2-Mar-2024", timeZone: helsinki), [])
        XCTAssertEqual(try mailbox.search("SINCE 2-Mar-2024", timeZone: helsinki), [1])
        XCTAssertEqual(try mailbox.search("SINCE 2-Mar-2024", timeZone: utc), [])
    }

    /// OLDER/YOUNGER (RFC 5032) count seconds back from the clock.
    func testWithin() throws {
        let mailbox = SearchTestMailbox(["\n", "\n", "\n"], firstDate: 1_000_000)  // 1 000 000, +3600, +7200
        let now = 1_000_000.0 + 7200 + 600
        XCTAssertEqual(try mailbox.search("YOUNGER 3600", now: now), [3])
        XCTAssertEqual(try mailbox.search("OLDER 3600", now: now), [1, 2])
        XCTAssertEqual(try mailbox.search("OLDER 4200", now: now), [1, 2])
        XCTAssertEqual(try mailbox.search("OLDER 4201", now: now), [1])
    }

    /// MODSEQ matches messages changed at or after the value; an entry name is accepted and
    /// answered with the message's MODSEQ.
    func testModSeq() throws {
        var mailbox = flagged()
        mailbox.store(sequences: [3], mode: "+", flags: ["\\Seen"])
        let changed = mailbox.messages[2].modSeq
        XCTAssertEqual(try mailbox.search("MODSEQ \(changed)"), [3])
        XCTAssertEqual(try mailbox.search("MODSEQ \"/flags/\\\\seen\" all \(changed)"), [3])
        XCTAssertEqual(try mailbox.search("MODSEQ \(changed + 1)"), [])
        XCTAssertEqual(try mailbox.search("MODSEQ 1"), [1, 2, 3, 4])
    }

    /// No index-only key opens a file; with a content key, the index keys beside it in an AND
    /// or OR are tried first, so only candidates are read, each once.
    func testIndexKeysReadNoFileAndContentIsReadOncePerCandidate() throws {
        let mailbox = flagged()
        let log = ReadLog()
        _ = try mailbox.search("OR SEEN (FLAGGED KEYWORD $Junk) NOT DELETED LARGER 3 UID 1:* 1:* MODSEQ 1 SINCE 1-Jan-2000", readLog: log)
        XCTAssertEqual(log.uids, [])

        let contentLog = ReadLog()
        XCTAssertEqual(try mailbox.search("BODY 333 SUBJECT c FROM x 3", readLog: contentLog), [])
        XCTAssertEqual(contentLog.uids, [3], "only message 3 is a candidate, and it is read once for three content keys")

        let orLog = ReadLog()
        XCTAssertEqual(try mailbox.search("OR SEEN SUBJECT b", readLog: orLog), [1, 2])
        XCTAssertEqual(orLog.uids, [2, 3, 4], "message 1 is settled by SEEN without reading it")
    }

    /// A file that cannot be read is a typed error naming the UID, never a silent miss.
    func testUnreadableMessageIsAnError() throws {
        let mailbox = flagged()
        let context = SearchContext(messages: mailbox.messages)
        let evaluator = SearchEvaluator(context: context) { uid in throw SearchTestMailbox.MissingFile(uid: uid) }
        XCTAssertThrowsError(try evaluator.search(.body(Array("x".utf8)))) { error in
            guard case .messageUnreadable(let uid, _) = error as? SearchError else { return XCTFail("\(error)") }
            XCTAssertEqual(uid, 1)
        }
        XCTAssertEqual(try evaluator.search(.seen).numbers(byUID: false), [1], "index keys need no file")
    }
}
