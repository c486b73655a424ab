import IMAP
import XCTest
@testable import IMAPServer

/// THREAD=REFERENCES and THREAD=ORDEREDSUBJECT (RFC 5256 §3), each step of the REFERENCES
/// algorithm on hand-made messages, compared as the server writes them.
final class SearchThreadTests: XCTestCase {
    /// A message: `id`, parent ids (References), subject and Date: hour on 1 Jan 2024.
    private func message(_ id: String?, refs: [String] = [], inReplyTo: String? = nil, subject: String = "s", hour: Int) -> String {
        var text = ""
        if let id { text += "Message-ID: <\(id)@example.org>\n" }
        if !refs.isEmpty { text += "References: " + refs.map { "<\($0)@example.org>" }.joined(separator: "\n ") + "\n" }
        if let inReplyTo { text += "In-Reply-To: <\(inReplyTo)@example.org> (sent by someone)\n" }
        text += "Subject: \(subject)\nDate: Mon, 1 Jan 2024 \(String(format: "%02d", hour)):00:00 +0000\n\nbody\n"
        return text
    }

    private func threads(_ algorithm: String, _ texts: [String], byUID: Bool = false) throws -> String {
        guard case .thread(var command)? = parseCommand("t THREAD \(algorithm) UTF-8 ALL")?.command else {
            throw SearchTestMailbox.UnparsableKey(key: algorithm)
        }
        command.byUID = byUID
        return encoded(try SearchTestMailbox(texts).evaluator().reply(to: command))
    }

    func testChainAndSiblingsOrderedByDate() throws {
        let texts = [
            message("a", subject: "topic", hour: 1),
            message("c", refs: ["a"], subject: "Re: topic", hour: 5),
            message("b", refs: ["a"], subject: "Re: topic", hour: 3),
            message("d", refs: ["a", "b"], subject: "Re: topic", hour: 4),
        ]
        XCTAssertEqual(try threads("REFERENCES", texts), "* THREAD (1 (3 4)(2))")
    }

    /// A missing parent with several replies stays as a dummy at the root: `((2)(3))`; with
    /// one reply it is pruned and the reply moves up.
    func testDummyParents() throws {
        let siblings = [
            message("x", subject: "first", hour: 1),
            message("b", refs: ["missing"], subject: "Re: lost", hour: 3),
            message("c", refs: ["missing"], subject: "Re: lost", hour: 2),
        ]
        XCTAssertEqual(try threads("REFERENCES", siblings), "* THREAD (1)((3)(2))")
        let single = [message("b", refs: ["gone1", "gone2"], subject: "Re: lost", hour: 3)]
        XCTAssertEqual(try threads("REFERENCES", single), "* THREAD (1)")
    }

    /// Linking rules, each with the hostile or odd input spelled out:
    /// - In-Reply-To counts when there is no References (its comment ignored);
    /// - a link that would close a loop is not made (3 names 4 as its parent first, 4's
    ///   claim on 3 is dropped);
    /// - a duplicate Message-ID and a missing one give threads of their own;
    /// - step 5: a reply with no references joins the original by base subject, two
    ///   originals with one subject go under a dummy.
    func testLinkingRules() throws {
        let cases: [(String, [String], String)] = [
            ("in-reply-to and loops", [
                message("a", subject: "one", hour: 1),
                message("b", inReplyTo: "a", subject: "two", hour: 2),
                message("c", refs: ["d"], subject: "three", hour: 3),
                message("d", refs: ["c"], subject: "four", hour: 4),
            ], "* THREAD (1 2)(4 3)"),
            ("duplicate and missing ids", [
                message("same", subject: "one", hour: 1),
                message("same", subject: "two", hour: 2),
                message(nil, subject: "three", hour: 3),
                message("r", refs: ["same"], subject: "Re: one", hour: 4),
            ], "* THREAD (1 4)(2)(3)"),
            ("subject gathering", [
                message("a", subject: "Lunch", hour: 1),
                message("b", subject: "Re: lunch", hour: 2),
                message("c", subject: "Dinner", hour: 3),
                message("d", subject: "dinner", hour: 4),
            ], "* THREAD (1 2)((3)(4))"),
        ]
        for (name, texts, expected) in cases { XCTAssertEqual(try threads("REFERENCES", texts), expected, name) }
    }

    /// UID THREAD names messages by UID.
    func testUIDThread() throws {
        var mailbox = SearchTestMailbox([message("a", hour: 1), message("b", refs: ["a"], hour: 2), message("c", refs: ["b"], hour: 3)])
        mailbox.store(sequences: [1], mode: "+", flags: ["\\Deleted"])
        _ = mailbox.expunge()
        let nodes = try mailbox.evaluator().thread(.references, key: .all, charset: nil, byUID: true)
        XCTAssertEqual(nodes, [ThreadNode(message: 2, children: [ThreadNode(message: 3)])])
    }

    /// ORDEREDSUBJECT: one thread per base subject, the first message the parent of the
    /// others (siblings), threads by their first message's date.
    func testOrderedSubject() throws {
        let texts = [
            message("1", subject: "b", hour: 5),
            message("2", subject: "Re: a", hour: 3),
            message("3", subject: "A", hour: 4),
            message("4", subject: "re: B", hour: 1),
            message("5", subject: "a", hour: 2),
            message("6", subject: "c", hour: 6),
        ]
        XCTAssertEqual(try threads("ORDEREDSUBJECT", texts), "* THREAD (4 1)(5 (2)(3))(6)")
    }
}
