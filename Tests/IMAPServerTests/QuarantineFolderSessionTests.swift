import Directory
import Foundation
import IMAP
@testable import IMAPServer
import Logging
import MailAccess
import Mailstore
import MoatCore
import XCTest

/// The Quarantine view in sessions driven without sockets, over real Maildirs, with a
/// recording stand-in for the quarantine (the real one is exercised end to end in
/// test_imap_quarantine.py): what is released, what is deleted for the user, in which order.
final class QuarantineFolderSessionTests: IMAPSessionTestCase {
    private var held: HeldMessages!

    /// A quarantine holding one spam message and one virus for alice.
    final class HeldMessages: QuarantineSource, @unchecked Sendable {
        let lock = NSLock()
        var messages = [QuarantinedMessage(mailID: "SPAMSPAMSPAM", date: 1_700_000_000, releasable: true, isSpam: true),
                        QuarantinedMessage(mailID: "VIRUSVIRUS01", date: 1_700_000_100, releasable: false, isSpam: false)]
        var released: [String] = []
        var dismissed: [String] = []
        /// Whether each dismissed message's file was still in the view when it was dismissed.
        var fileStillThere: [Bool] = []
        var viewDirectory = ""
        var unreadable: Set<String> = []

        func messages(for user: Mailbox) throws -> [QuarantinedMessage] { lock.withLock { messages } }

        func presentation(of mailID: String, for user: Mailbox) throws -> [UInt8] {
            if unreadable.contains(mailID) { throw QuarantineRefusal("unreadable") }
            return Array("Subject: held \(mailID)\r\n\r\nbody\r\n".utf8)
        }

        func release(_ message: QuarantinedMessage, to user: Mailbox) async throws {
            let mailID = message.mailID
            lock.withLock {
                released.append(mailID)
                messages.removeAll { $0.mailID == mailID }
            }
        }

        func dismiss(_ mailIDs: [String], for user: Mailbox) throws {
            let files = (try? FileManager.default.subpathsOfDirectory(atPath: viewDirectory)) ?? []
            lock.withLock {
                for id in mailIDs {
                    dismissed.append(id)
                    fileStillThere.append(files.contains { $0.contains(".I\(id).") })
                    messages.removeAll { $0.mailID == id }
                }
            }
        }
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        held = HeldMessages()
        held.viewDirectory = root + "/mail/example.com/alice/Maildir/moat-quarantine"
    }

    private func session() -> IMAPSession {
        session(quarantine: QuarantineFolder(name: "Quarantine", source: held))
    }

    /// The UID of the view's message for `mailID`.
    private func uid(_ session: IMAPSession, of mailID: String) async throws -> String {
        let reply = try await session.run("f UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        for line in reply.components(separatedBy: "\r\n* ") where line.contains("held \(mailID)") {
            if let range = line.range(of: #"UID (\d+)"#, options: .regularExpression) {
                return String(line[range].dropFirst(4))
            }
        }
        throw IMAPSession.UnparsableLine(line: reply)
    }

    func testAVirusIsNeverReleasedAndSpamIsReleasedAndExpunged() async throws {
        let s = session()
        let loggedIn = try await s.run("l LOGIN alice@example.com sesame")
        XCTAssertTrue(loggedIn.contains("l OK"), loggedIn)
        let list = try await s.run("l2 LIST \"\" %")
        XCTAssertTrue(list.contains("* LIST (\\HasNoChildren) \".\" Quarantine\r\n"), list)
        let selected = try await s.run("s SELECT Quarantine")
        XCTAssertTrue(selected.contains("* 2 EXISTS") && selected.contains("s OK [READ-WRITE]"), selected)

        let virus = try await uid(s, of: "VIRUSVIRUS01")
        let refused = try await s.run("c UID COPY \(virus) INBOX")
        XCTAssertTrue(refused.hasPrefix("c NO [CANNOT]") && refused.contains("virus-VIRUSVIRUS01"), refused)
        let moveRefused = try await s.run("m UID MOVE 1:* INBOX")
        XCTAssertTrue(moveRefused.hasPrefix("m NO [CANNOT]"), "one virus refuses the whole command: \(moveRefused)")
        XCTAssertEqual(held.released, [], "nothing released when a virus is among them")

        let spam = try await uid(s, of: "SPAMSPAMSPAM")
        let moved = try await s.run("m2 UID MOVE \(spam) INBOX")
        XCTAssertTrue(moved.contains("* 1 EXPUNGE") && moved.contains("m2 OK Released 1 message(s) to alice@example.com"), moved)
        XCTAssertFalse(moved.contains("COPYUID"), "the released copy is delivered, not stored here")
        XCTAssertEqual(held.released, ["SPAMSPAMSPAM"])
        let inbox = try await s.run("st STATUS INBOX (MESSAGES)")
        XCTAssertTrue(inbox.contains("(MESSAGES 0)"), "the release delivers; the MOVE itself stores nothing: \(inbox)")
        await s.ended()
    }

    func testExpungeDeletesForTheUserBeforeTheFilesGo() async throws {
        let s = session()
        try await s.run("l LOGIN alice@example.com sesame")
        try await s.run("s SELECT Quarantine")
        let spam = try await uid(s, of: "SPAMSPAMSPAM")
        try await s.run("d UID STORE \(spam) +FLAGS (\\Deleted)")
        let expunged = try await s.run("e EXPUNGE")
        XCTAssertTrue(expunged.contains("* 1 EXPUNGE") && expunged.contains("e OK"), expunged)
        XCTAssertEqual(held.dismissed, ["SPAMSPAMSPAM"])
        XCTAssertEqual(held.fileStillThere, [true], "recorded first: a crash before the unlink cannot bring it back")
        XCTAssertEqual(held.released, [])
        let again = try await s.run("s2 SELECT Quarantine")
        XCTAssertTrue(again.contains("* 1 EXISTS"), again)
        await s.ended()
    }

    func testAMoveIntoTrashDeletesAndNothingCanGoIn() async throws {
        let s = session()
        try await s.run("l LOGIN alice@example.com sesame")
        try await s.run("s SELECT Quarantine")
        let virus = try await uid(s, of: "VIRUSVIRUS01")
        let trashed = try await s.run("m UID MOVE \(virus) Trash")
        XCTAssertTrue(trashed.contains("* 2 EXPUNGE") && trashed.contains("m OK"), trashed)
        XCTAssertEqual(held.dismissed, ["VIRUSVIRUS01"], "deleting a virus from one's view is allowed")
        let trash = try await s.run("st STATUS Trash (MESSAGES)")
        XCTAssertTrue(trash.contains("(MESSAGES 0)"), trash)
        for (command, code) in [("c CREATE Quarantine", "[ALREADYEXISTS]"), ("d DELETE Quarantine", "[CANNOT]"),
                                ("r RENAME Quarantine Held", "[CANNOT]"), ("r2 RENAME Trash Quarantine", "[ALREADYEXISTS]"),
                                ("c2 COPY 1 Quarantine", "[CANNOT]")] {
            let reply = try await s.run(command)
            XCTAssertTrue(reply.contains(" NO \(code)"), "\(command): \(reply)")
        }
        await s.appendStarted(tag: Tag("a"), mailbox: MailboxName("Quarantine"))
        XCTAssertEqual(s.append?.refusal?.code, .cannot)
        await s.ended()
    }

    /// What is quarantined while the client idles in the view reaches it at IDLE's next look.
    func testIdleInTheViewSeesNewQuarantinedMail() async throws {
        let s = session()
        try await s.run("l LOGIN alice@example.com sesame")
        try await s.run("s SELECT Quarantine")
        held.lock.withLock {
            held.messages.append(QuarantinedMessage(mailID: "LATESPAM0001", date: 1_700_000_200, releasable: true, isSpam: true))
        }
        await s.idleCheck()
        let told = String(decoding: s.takeOutput(), as: UTF8.self)
        XCTAssertTrue(told.contains("* 3 EXISTS"), told)
        await s.ended()
    }

    /// COPY out of an EXAMINEd view would release or delete, taking messages out of a mailbox
    /// opened read-only: refused, nothing done.
    func testACopyOutOfAnExaminedViewIsRefused() async throws {
        let s = session()
        try await s.run("l LOGIN alice@example.com sesame")
        try await s.run("e EXAMINE Quarantine")
        for command in ["c UID COPY 1:* INBOX", "c2 UID COPY 1:* Trash"] {
            let reply = try await s.run(command)
            XCTAssertTrue(reply.contains(" NO [READ-ONLY]"), "\(command): \(reply)")
        }
        XCTAssertEqual(held.released + held.dismissed, [])
        await s.ended()
    }

    func testAMessageThatCannotBeShownIsSkippedAndTheRestServed() async throws {
        held.unreadable = ["SPAMSPAMSPAM"]
        let s = session()
        try await s.run("l LOGIN alice@example.com sesame")
        let selected = try await s.run("s SELECT Quarantine")
        XCTAssertTrue(selected.contains("* 1 EXISTS") && selected.contains("s OK"), selected)
        held.unreadable = []
        let noop = try await s.run("n NOOP")
        XCTAssertTrue(noop.contains("* 2 EXISTS"), "retried at the next refresh: \(noop)")
        await s.ended()
    }
}
