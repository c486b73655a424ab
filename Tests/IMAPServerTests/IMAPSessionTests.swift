import Foundation
import IMAP
@testable import IMAPServer
import Mailstore
import MoatCore
import XCTest

/// Sessions driven without sockets: commands outside their state, refused APPENDs, APPENDs
/// within the memory budget, withheld expunges.
final class IMAPSessionTests: IMAPSessionTestCase {
    func testCommandsOutsideTheirStateAreBad() async throws {
        let s = session()
        let reply = try await s.run("a1 SELECT INBOX")
        XCTAssertTrue(reply.hasPrefix("a1 BAD"), reply)
        let reply1 = try await s.run("a2 LOGIN alice@example.com sesame")
        XCTAssertTrue(reply1.contains("a2 OK"))
        let reply2 = try await s.run("a3 LOGIN alice@example.com sesame")
        XCTAssertTrue(reply2.hasPrefix("a3 BAD"))
        let reply3 = try await s.run("a4 FETCH 1 FLAGS")
        XCTAssertTrue(reply3.hasPrefix("a4 BAD"), "FETCH needs a selected mailbox")
    }

    /// A refused APPEND keeps nothing, whatever the client sends after it.
    func testRefusedAppendHoldsNoBytes() async throws {
        let s = session()
        await s.appendStarted(tag: Tag("a1"), mailbox: MailboxName("INBOX"))
        s.appendMessageStarted(AppendMessageStart(size: 1 << 20))
        s.appendMessageBytes([UInt8](repeating: 0x78, count: 1 << 20))
        s.appendMessageFinished()
        XCTAssertEqual(s.append?.messages.count, 0)
        XCTAssertNil(s.append?.current)
        await s.appendFinished()
        XCTAssertTrue(String(decoding: s.takeOutput(), as: UTF8.self).hasPrefix("a1 BAD"))
    }

    /// APPENDs hold their literals in memory: all sessions together stay within the process's
    /// message memory budget (shared with SMTP); past it an APPEND is NO [UNAVAILABLE] and
    /// keeps nothing, and every byte comes back when an APPEND ends, however it ends.
    func testAppendsTogetherStayWithinTheMessageMemoryBudget() async throws {
        let budget = MessageMemoryBudget(limit: 1000)
        let first = session(memory: budget), second = session(memory: budget), third = session(memory: budget)
        for s in [first, second, third] { try await s.run("l LOGIN alice@example.com sesame") }
        let bytes = Array("Subject: big\r\n\r\n".utf8) + [UInt8](repeating: 0x78, count: 780) + Array("\r\n".utf8)
        for s in [first, second, third] {
            await s.appendStarted(tag: Tag("a"), mailbox: MailboxName("INBOX"))
            s.appendMessageStarted(AppendMessageStart(size: bytes.count))
        }
        XCTAssertEqual(budget.heldBytes, bytes.count, "only the first fits")
        second.appendMessageBytes(bytes)
        second.appendMessageFinished()
        XCTAssertNil(second.append?.current, "a refused APPEND keeps no bytes")
        await second.appendFinished()
        let refused = String(decoding: second.takeOutput(), as: UTF8.self)
        XCTAssertTrue(refused.hasPrefix("a NO [UNAVAILABLE]"), refused)
        await third.ended()  // the connection went away mid-APPEND (it had nothing reserved)
        first.appendMessageBytes(bytes)
        first.appendMessageFinished()
        await first.appendFinished()
        let stored = String(decoding: first.takeOutput(), as: UTF8.self)
        XCTAssertTrue(stored.contains("a OK [APPENDUID "), stored)
        XCTAssertEqual(budget.heldBytes, 0)

        let dropped = session(memory: budget)
        try await dropped.run("l LOGIN alice@example.com sesame")
        await dropped.appendStarted(tag: Tag("b"), mailbox: MailboxName("INBOX"))
        dropped.appendMessageStarted(AppendMessageStart(size: 600))
        XCTAssertEqual(budget.heldBytes, 600)
        await dropped.ended()
        XCTAssertEqual(budget.heldBytes, 0, "a connection that goes away mid-APPEND gives its bytes back")

        // `a APPEND INBOX {5+}\r\nhelloJUNK`: the parser gives up after the literal.
        let garbled = session(memory: budget)
        try await garbled.run("l LOGIN alice@example.com sesame")
        await garbled.appendStarted(tag: Tag("c"), mailbox: MailboxName("INBOX"))
        garbled.appendMessageStarted(AppendMessageStart(size: 5))
        garbled.appendMessageBytes(Array("hello".utf8))
        garbled.appendMessageFinished()
        garbled.parseError(CommandParseError(tag: Tag("c"), kind: .syntax, message: "Unexpected text after the APPEND messages"))
        XCTAssertNil(garbled.append)
        XCTAssertEqual(budget.heldBytes, 0, "an APPEND the parser gave up on gives its bytes back")
        XCTAssertTrue(String(decoding: garbled.takeOutput(), as: UTF8.self).hasPrefix("c BAD"))
        await garbled.ended()
        for s in [first, second] { await s.ended() }
    }

    /// Another session's expunge is withheld during FETCH; numbers stay until NOOP tells it.
    func testWithheldExpungeKeepsNumbers() async throws {
        let first = session(), second = session()
        for s in [first, second] { try await s.run("l LOGIN alice@example.com sesame") }
        for n in 1...3 { await appendMessage(first, "message \(n)") }
        try await first.run("s SELECT INBOX")
        try await second.run("s SELECT INBOX")
        try await first.run("d STORE 2 +FLAGS (\\Deleted)")
        let reply4 = try await first.run("e EXPUNGE")
        XCTAssertTrue(reply4.contains("* 2 EXPUNGE"))
        let fetch = try await second.run("f FETCH 1 FLAGS")
        XCTAssertFalse(fetch.contains("EXPUNGE"), fetch)
        let reply5 = try await second.run("q SEARCH ALL")
        XCTAssertTrue(reply5.contains("* SEARCH 1 2 3"))
        let reply6 = try await second.run("q2 SEARCH SUBJECT \"message 3\"")
        XCTAssertTrue(reply6.contains("* SEARCH 3\r\n"))
        let noop = try await second.run("n NOOP")
        XCTAssertTrue(noop.contains("* 2 EXPUNGE"), noop)
        let reply7 = try await second.run("q3 SEARCH ALL")
        XCTAssertTrue(reply7.contains("* SEARCH 1 2\r\n"))
        await first.ended()
        await second.ended()
    }
}
