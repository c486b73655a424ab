import Foundation
import MoatCore
import XCTest
@testable import Mailstore

final class IndexMailboxListTests: IndexTestCase {
    func testDefaultMailboxesAreCreatedSubscribedAndSpecialUse() throws {
        try mailboxes.ensureDefaultMailboxes()
        let list = try mailboxes.list()
        XCTAssertEqual(list.map(\.name), ["INBOX", "Drafts", "Junk", "Sent", "Trash"])
        XCTAssertEqual(list.compactMap(\.specialUse), [.drafts, .junk, .sent, .trash])
        XCTAssertEqual(try mailboxes.subscriptions(), ["Drafts", "Sent", "Trash", "Junk"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(maildir)/.Sent/maildirfolder"))
        // A second login neither re-creates nor re-subscribes what the user unsubscribed.
        try mailboxes.unsubscribe("Junk")
        try mailboxes.ensureDefaultMailboxes()
        XCTAssertEqual(try mailboxes.subscriptions(), ["Drafts", "Sent", "Trash"])
        XCTAssertEqual(String(decoding: try contents("\(maildir)/subscriptions"), as: UTF8.self), "Drafts\nSent\nTrash\n")
    }

    func testModifiedUTF7NamesOnDiskAndUnicodeInTheAPI() throws {
        try mailboxes.create("Entwürfe")
        try mailboxes.create("R&D")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(maildir)/.Entw&APw-rfe/cur"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(maildir)/.R&-D/cur"))
        XCTAssertEqual(try mailboxes.list().map(\.name), ["INBOX", "Entwürfe", "R&D"])
        try mailboxes.subscribe("Entwürfe")
        XCTAssertEqual(String(decoding: try contents("\(maildir)/subscriptions"), as: UTF8.self), "Entw&APw-rfe\n")
        XCTAssertEqual(try mailboxes.subscriptions(), ["Entwürfe"])
        XCTAssertEqual(ModifiedUTF7.decode("&ZeVnLIqe-"), "日本語")
        XCTAssertNil(ModifiedUTF7.decode("&AB"), "unterminated shift is not modified UTF-7")
    }

    func testDovecotVersion2SubscriptionsAreReadAndWrittenInKind() throws {
        try writeSubscriptions("V\t2\n\nArchive\t2024\nTrash\n")
        XCTAssertEqual(try mailboxes.subscriptions(), ["Archive.2024", "Trash"])
        try mailboxes.subscribe("Lists.swift")
        XCTAssertEqual(String(decoding: try contents("\(maildir)/subscriptions"), as: UTF8.self),
                       "V\t2\n\nArchive\t2024\nTrash\nLists\tswift\n")
    }

    /// What Debian's Dovecot 2.3 wrote after `CREATE`/`SUBSCRIBE "Entw&APw-rfe"` and
    /// `"Work.Sub"`: version 2 keeps each level's modified UTF-7. Read as Unicode, the name
    /// came back to clients as `Entw&-APw-rfe`, a folder that does not exist.
    func testDovecotVersion2SubscriptionsHoldModifiedUTF7Levels() throws {
        try writeSubscriptions("V\t2\n\nEntw&APw-rfe\nWork\tSub\n")
        XCTAssertEqual(try mailboxes.subscriptions(), ["Entwürfe", "Work.Sub"])
        try mailboxes.subscribe("Entwürfe.R&D")
        XCTAssertEqual(String(decoding: try contents("\(maildir)/subscriptions"), as: UTF8.self),
                       "V\t2\n\nEntw&APw-rfe\nWork\tSub\nEntw&APw-rfe\tR&-D\n")
        // Dovecot's UTF-8 storage names (mail_location's `UTF-8` option): not modified UTF-7, kept.
        try writeSubscriptions("V\t2\n\nEntwürfe\n")
        XCTAssertEqual(try mailboxes.subscriptions(), ["Entwürfe"])
    }

    /// The subscriptions file as another server left it.
    private func writeSubscriptions(_ text: String) throws {
        try FileManager.default.createDirectory(atPath: maildir, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(maildir)/subscriptions"))
    }

    func testRenameTakesChildrenAndDeleteKeepsThemAsNoselect() throws {
        try mailboxes.create("Work")
        try mailboxes.create("Work.2024")
        try deliver("report", folder: try MaildirFolder("Work.2024"))
        XCTAssertThrowsError(try mailboxes.create("Work")) { XCTAssertEqual($0 as? MailboxError, .mailboxExists("Work")) }
        XCTAssertThrowsError(try mailboxes.rename("Work", to: "Work.Sub")) {
            XCTAssertEqual($0 as? MailboxError, .notAllowed("cannot rename Work into itself"))
        }
        try mailboxes.rename("Work", to: "Jobs")
        XCTAssertEqual(try mailboxes.list().map(\.name), ["INBOX", "Jobs", "Jobs.2024"])
        XCTAssertEqual(try mailboxes.open("Jobs.2024").snapshot.messages.count, 1)

        try mailboxes.delete("Jobs")
        let list = try mailboxes.list()
        XCTAssertEqual(list.map(\.name), ["INBOX", "Jobs", "Jobs.2024"])
        XCTAssertEqual(list[1].selectable, false)
        XCTAssertEqual(list[1].hasChildren, true)
        XCTAssertThrowsError(try mailboxes.open("Jobs")) { XCTAssertEqual($0 as? MailboxError, .noSuchMailbox("Jobs")) }
        XCTAssertThrowsError(try mailboxes.delete("INBOX")) {
            XCTAssertEqual($0 as? MailboxError, .notAllowed("INBOX cannot be deleted"))
        }
        XCTAssertThrowsError(try mailboxes.create("a..b")) { XCTAssertEqual($0 as? MailboxError, .invalidName("a..b")) }
        XCTAssertThrowsError(try mailboxes.create("../escape")) {
            XCTAssertEqual($0 as? MailboxError, .invalidName("../escape"))
        }
    }

    func testRenamingInboxMovesItsMessagesAndKeepsInbox() throws {
        try deliver("one")
        try deliver("two")
        _ = try mailboxes.open("INBOX")
        try mailboxes.rename("INBOX", to: "Old")
        XCTAssertEqual(try mailboxes.open("INBOX").snapshot.messages, [])
        XCTAssertEqual(try mailboxes.open("Old").snapshot.messages.map(\.uid), [1, 2])
    }
}
