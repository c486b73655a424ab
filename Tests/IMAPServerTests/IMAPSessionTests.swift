import Foundation
import IMAP
@testable import IMAPServer
import Mailstore
import MoatCore
import XCTest

/// Sessions driven without sockets: commands outside their state, refused APPENDs, withheld
/// expunges.
final class IMAPSessionTests: IMAPSessionTestCase {
    func testCommandsOutsideTheirStateAreBad() async throws {
        let s = session()
        let reply = try await run(s, "a1 SELECT INBOX")
        XCTAssertTrue(reply.hasPrefix("a1 BAD"), reply)
        let reply1 = try await run(s, "a2 LOGIN alice@example.com sesame")
        XCTAssertTrue(reply1.contains("a2 OK"))
        let reply2 = try await run(s, "a3 LOGIN alice@example.com sesame")
        XCTAssertTrue(reply2.hasPrefix("a3 BAD"))
        let reply3 = try await run(s, "a4 FETCH 1 FLAGS")
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

    /// Another session's expunge is withheld during FETCH; numbers stay until NOOP tells it.
    func testWithheldExpungeKeepsNumbers() async throws {
        let first = session(), second = session()
        for s in [first, second] { try await run(s, "l LOGIN alice@example.com sesame") }
        for n in 1...3 { await appendMessage(first, "message \(n)") }
        try await run(first, "s SELECT INBOX")
        try await run(second, "s SELECT INBOX")
        try await run(first, "d STORE 2 +FLAGS (\\Deleted)")
        let reply4 = try await run(first, "e EXPUNGE")
        XCTAssertTrue(reply4.contains("* 2 EXPUNGE"))
        let fetch = try await run(second, "f FETCH 1 FLAGS")
        XCTAssertFalse(fetch.contains("EXPUNGE"), fetch)
        let reply5 = try await run(second, "q SEARCH ALL")
        XCTAssertTrue(reply5.contains("* SEARCH 1 2 3"))
        let reply6 = try await run(second, "q2 SEARCH SUBJECT \"message 3\"")
        XCTAssertTrue(reply6.contains("* SEARCH 3\r\n"))
        let noop = try await run(second, "n NOOP")
        XCTAssertTrue(noop.contains("* 2 EXPUNGE"), noop)
        let reply7 = try await run(second, "q3 SEARCH ALL")
        XCTAssertTrue(reply7.contains("* SEARCH 1 2\r\n"))
        await first.ended()
        await second.ended()
    }
}
