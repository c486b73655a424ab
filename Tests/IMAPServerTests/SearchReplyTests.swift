import IMAP
import Mailstore
import XCTest
@testable import IMAPServer

/// The replies: `* SEARCH` with MODSEQ, ESEARCH's MIN/MAX/ALL/COUNT (RFC 4731), SAVE
/// (RFC 5182), ESORT (RFC 5267), as the encoder writes them.
final class SearchReplyTests: XCTestCase {
    /// Five messages, UIDs 1 2 4 5 6 after an expunge; 2, 4 and 5 seen.
    private func mailbox() -> SearchTestMailbox {
        var mailbox = SearchTestMailbox(Array(repeating: "Subject: x\n\nx\n", count: 6))
        mailbox.store(sequences: [3], mode: "+", flags: ["\\Deleted"])
        _ = mailbox.expunge()
        mailbox.store(sequences: [2, 3, 4], mode: "+", flags: ["\\Seen"])
        return mailbox
    }

    private func reply(_ line: String, savedResult: Set<MessageUID> = [], in mailbox: SearchTestMailbox? = nil) throws -> SearchReply {
        let tagged = try XCTUnwrap(parseCommand(line), line)
        let evaluator = (mailbox ?? self.mailbox()).evaluator(savedResult: savedResult)
        switch tagged.command {
        case .search(let command): return try evaluator.reply(to: command, tag: tagged.tag)
        case .sort(let command): return try evaluator.reply(to: command, tag: tagged.tag)
        default: throw SearchTestMailbox.UnparsableKey(key: line)
        }
    }

    private func text(_ line: String, savedResult: Set<MessageUID> = []) throws -> String {
        try reply(line, savedResult: savedResult).response.map(encoded) ?? "(none)"
    }

    func testPlainSearchReplies() throws {
        XCTAssertEqual(try text("a SEARCH SEEN"), "* SEARCH 2 3 4")
        XCTAssertEqual(try text("a UID SEARCH SEEN"), "* SEARCH 2 4 5")
        XCTAssertEqual(try text("a SEARCH DELETED"), "* SEARCH")
    }

    func testESearchReturnOptions() throws {
        XCTAssertEqual(try text("a SEARCH RETURN () SEEN"), "* ESEARCH (TAG \"a\") ALL 2:4")
        XCTAssertEqual(try text("a UID SEARCH RETURN (ALL) SEEN"), "* ESEARCH (TAG \"a\") UID ALL 2,4:5")
        XCTAssertEqual(try text("a UID SEARCH RETURN (MIN MAX COUNT) SEEN"), "* ESEARCH (TAG \"a\") UID MIN 2 MAX 5 COUNT 3")
        XCTAssertEqual(try text("a SEARCH RETURN (MIN MAX ALL COUNT) DELETED"), "* ESEARCH (TAG \"a\") COUNT 0",
                       "nothing matched: MIN, MAX and ALL are left out, COUNT is 0")
    }

    /// SAVE alone answers nothing; with MIN/MAX only those are kept; with ALL or COUNT all.
    func testSaveKeepsWhatIsReturned() throws {
        let alone = try reply("a UID SEARCH RETURN (SAVE) SEEN")
        XCTAssertNil(alone.response)
        XCTAssertEqual(alone.savedResult, [2, 4, 5])
        XCTAssertEqual(try reply("a SEARCH RETURN (SAVE MIN) SEEN").savedResult, [2])
        XCTAssertEqual(try reply("a SEARCH RETURN (SAVE MIN MAX) SEEN").savedResult, [2, 5])
        XCTAssertEqual(try reply("a SEARCH RETURN (SAVE COUNT) SEEN").savedResult, [2, 4, 5])
        XCTAssertNil(try reply("a SEARCH RETURN (COUNT) SEEN").savedResult, "no SAVE: `$` stays as it was")
        XCTAssertEqual(try text("a SEARCH $ UNSEEN", savedResult: [1, 2, 6]), "* SEARCH 1 5", "UIDs 1 and 6 are messages 1 and 5")
    }

    /// MODSEQ in the reply when a MODSEQ key was used: the highest among what is returned.
    func testModSeqInReplies() throws {
        let mailbox = mailbox()
        let modSeqs = mailbox.messages.map(\.modSeq)
        let highestSeen = modSeqs[1...3].max()!
        XCTAssertEqual(try reply("a SEARCH MODSEQ 1 SEEN", in: mailbox).response.map(encoded),
                       "* SEARCH 2 3 4 (MODSEQ \(highestSeen))")
        XCTAssertEqual(try reply("a SEARCH RETURN (MIN) MODSEQ 1 SEEN", in: mailbox).response.map(encoded),
                       "* ESEARCH (TAG \"a\") MIN 2 MODSEQ \(modSeqs[1])")
        XCTAssertEqual(try reply("a SEARCH SEEN", in: mailbox).response.map(encoded), "* SEARCH 2 3 4", "no MODSEQ key, no MODSEQ")
        XCTAssertEqual(try reply("a SEARCH MODSEQ 1 DELETED", in: mailbox).response.map(encoded), "* SEARCH",
                       "nothing matched: no MODSEQ")
    }

    /// ESORT: ALL keeps the sort order; MIN and MAX are the first and last in that order.
    func testESortKeepsSortOrder() throws {
        var mailbox = SearchTestMailbox(["Subject: b\n\nx\n", "Subject: c\n\nx\n", "Subject: a\n\nx\n"])
        mailbox.store(sequences: [1], mode: "", flags: [])
        XCTAssertEqual(try reply("a SORT (SUBJECT) UTF-8 ALL", in: mailbox).response.map(encoded), "* SORT 3 1 2")
        XCTAssertEqual(try reply("a SORT RETURN (ALL MIN MAX) (SUBJECT) UTF-8 ALL", in: mailbox).response.map(encoded),
                       "* ESEARCH (TAG \"a\") MIN 3 MAX 2 ALL 3,1:2")
    }
}
