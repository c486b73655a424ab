import Foundation
import MoatCore
import XCTest
@testable import Mailstore

final class IndexSyncTests: IndexTestCase {
    func testNewMailGetsUIDsInDeliveryOrderAndMovesToCurWithUIDInName() throws {
        // Postfix-style and Dovecot-style names, dropped out of order: the seconds and
        // microseconds in the names decide, not readdir order.
        try drop("1700000002.V801I1M5.host", "Subject: third\n\nc\n")
        try drop("1700000001.M900P1.host", "Subject: second\n\nb\n")
        try drop("1700000001.M20P1.host", "Subject: first\n\na\n")
        let box = try mailboxes.open("INBOX")
        XCTAssertEqual(box.openOutcome, .created)
        let messages = box.snapshot.messages
        XCTAssertEqual(messages.map(\.uid), [1, 2, 3])
        XCTAssertEqual(messages.map(\.baseName), ["1700000001.M20P1.host,U=1", "1700000001.M900P1.host,U=2",
                                                  "1700000002.V801I1M5.host,U=3"])
        XCTAssertEqual(try names(in: "\(maildir)/new"), [])
        XCTAssertEqual(try curNames(), ["1700000001.M20P1.host,U=1:2,", "1700000001.M900P1.host,U=2:2,",
                                        "1700000002.V801I1M5.host,U=3:2,"])
        // RFC822.SIZE counts CRLF: "Subject: first\n\na\n" is 18 bytes with 3 LFs.
        XCTAssertEqual(messages[0].size, 21)
        XCTAssertEqual(try box.message(uid: 1), Array("Subject: first\r\n\r\na\r\n".utf8))
        XCTAssertEqual(box.snapshot.uidNext, 4)
    }

    func testDeliveryWhileOpenIsReportedBySync() throws {
        try deliver("one")
        let box = try mailboxes.open("INBOX")
        XCTAssertTrue(try box.sync().isEmpty)
        try deliver("two")
        let changes = try box.sync()
        XCTAssertEqual(changes.added.map(\.uid), [2])
        XCTAssertEqual(changes.added.first?.size, Int64(try box.message(uid: 2).count))
        XCTAssertEqual(changes.uidNext, 3)
    }

    /// \Recent belongs to the first read-write session shown a message, and to no other.
    func testRecentIsClaimedOnce() throws {
        try deliver("one")
        try deliver("two")
        let first = try mailboxes.open("INBOX")
        XCTAssertEqual(try first.status().recent, 2)
        XCTAssertEqual(try first.claimRecent(), [1, 2])
        XCTAssertEqual(try first.status().recent, 0)
        let second = try mailboxes.open("INBOX")
        XCTAssertEqual(try second.claimRecent(), [])
        try deliver("three")
        _ = try second.sync()
        XCTAssertEqual(try second.claimRecent(), [3])
        XCTAssertEqual(try first.claimRecent(), [])
        let examined = try mailboxes.open("INBOX", readOnly: true)
        XCTAssertThrowsError(try examined.claimRecent())
    }

    func testFlagsWrittenToFileNameAndKeywordsToDovecotKeywords() throws {
        try deliver("one")
        let box = try mailboxes.open("INBOX")
        let result = try box.store(FlagChange(.add, flags: [.seen, .flagged], keywords: ["$Forwarded", "Junk"]),
                                   uids: [1])
        XCTAssertEqual(result.changed.map(\.uid), [1])
        XCTAssertEqual(try curFile(uid: 1).split(separator: ":").last, "2,FSab")
        XCTAssertEqual(String(decoding: try contents("\(maildir)/dovecot-keywords"), as: UTF8.self),
                       "0 $Forwarded\n1 Junk\n")
        // Its own change is not repeated by the next sync.
        XCTAssertTrue(try box.sync().isEmpty)
        _ = try box.store(FlagChange(.remove, flags: [.flagged], keywords: ["junk"]), uids: [1])
        XCTAssertEqual(try curFile(uid: 1).split(separator: ":").last, "2,Sa")
        XCTAssertEqual(box.snapshot.messages.first?.keywords, ["$Forwarded"], "own STORE shows in the snapshot")
        XCTAssertEqual(box.snapshot.messages.first?.flags, [.seen])
    }

    func testExternalFlagChangeIsTakenWithHigherModSeq() throws {
        try deliver("one")
        let box = try mailboxes.open("INBOX")
        let before = box.snapshot.highestModSeq
        // mutt marks it read and flagged: a rename in cur/.
        let file = try curFile(uid: 1)
        try rename("\(maildir)/cur/\(file)", "\(maildir)/cur/\(file.dropLast(0).split(separator: ":")[0]):2,FS")
        let changes = try box.sync()
        XCTAssertEqual(changes.flagsChanged.map(\.uid), [1])
        XCTAssertEqual(changes.flagsChanged.first?.flags, [.seen, .flagged])
        XCTAssertGreaterThan(changes.highestModSeq, before)
        XCTAssertGreaterThan(changes.flagsChanged[0].modSeq, before)
    }

    func testExternalDeleteIsExpungedAndRecordedForQresync() throws {
        try deliver("one")
        try deliver("two")
        let box = try mailboxes.open("INBOX")
        let modSeq = box.snapshot.highestModSeq
        try FileManager.default.removeItem(atPath: "\(maildir)/cur/\(try curFile(uid: 1))")
        let changes = try box.sync()
        XCTAssertEqual(changes.expunged, [1])
        XCTAssertEqual(box.snapshot.messages.map(\.uid), [2])
        XCTAssertEqual(try box.expunged(since: modSeq), [1])
        XCTAssertEqual(try box.expunged(since: changes.highestModSeq), [])
        XCTAssertThrowsError(try box.message(uid: 1)) { XCTAssertEqual($0 as? MailboxError, .noSuchMessage(1)) }
    }

    func testStoreUnchangedSinceReportsModifiedUIDs() throws {
        try deliver("one")
        try deliver("two")
        let box = try mailboxes.open("INBOX")
        let modSeq = box.snapshot.highestModSeq
        _ = try box.store(FlagChange(.add, flags: [.seen]), uids: [2])
        let result = try box.store(FlagChange(.add, flags: [.flagged]), uids: [1, 2], unchangedSince: modSeq)
        XCTAssertEqual(result.changed.map(\.uid), [1])
        XCTAssertEqual(result.modified, [2])
        XCTAssertThrowsError(try box.store(FlagChange(.add, flags: [], keywords: ["bad word"]), uids: [1])) {
            XCTAssertEqual($0 as? MailboxError, .invalidKeyword("bad word"))
        }
    }

    func testAppendCopyMoveExpunge() throws {
        try mailboxes.create("Archive")
        let inbox = try mailboxes.open("INBOX")
        let archive = try mailboxes.open("Archive")
        let uid = try inbox.append(bytes("Subject: x\r\n\r\nhello\r\n"), flags: [.seen], keywords: ["Work"],
                                   internalDate: 1_600_000_000)
        XCTAssertEqual(uid, 1)
        let appended = try inbox.sync().added
        XCTAssertEqual(appended.map(\.uid), [1], "APPEND into the selected mailbox is announced (EXISTS)")
        XCTAssertEqual(appended.first?.internalDate, 1_600_000_000)
        XCTAssertEqual(appended.first?.size, 21)
        XCTAssertEqual(try contents("\(maildir)/cur/\(try curFile(uid: 1))"), bytes("Subject: x\n\nhello\n"))

        XCTAssertEqual(try inbox.copy(uids: [1, 99], to: archive), [UIDMapping(source: 1, destination: 1)])
        let copied = try archive.sync().added
        XCTAssertEqual(copied.first?.flags, [.seen])
        XCTAssertEqual(copied.first?.keywords, ["Work"])
        XCTAssertEqual(copied.first?.internalDate, 1_600_000_000)

        _ = try inbox.append(bytes("Subject: y\r\n\r\n"))
        XCTAssertEqual(try inbox.move(uids: [2], to: archive), [UIDMapping(source: 2, destination: 2)])
        XCTAssertEqual(try inbox.sync().expunged, [], "the mover reports its own expunges")
        XCTAssertEqual(inbox.snapshot.messages.map(\.uid), [1])

        _ = try inbox.store(FlagChange(.add, flags: [.deleted]), uids: [1])
        XCTAssertEqual(try inbox.expunge(uids: [5]), [])
        XCTAssertEqual(try inbox.expunge(), [1])
        XCTAssertEqual(try curNames(), [])
        XCTAssertEqual(try archive.status().messages, 2)
        let status = try mailboxes.status("INBOX")
        XCTAssertEqual(status.messages, 0)
        XCTAssertEqual(status.uidNext, 3)
    }

    func testReadOnlyHandleRefusesWritesAndLeavesNewAlone() throws {
        try deliver("one")
        let box = try mailboxes.open("INBOX", readOnly: true)
        XCTAssertEqual(box.snapshot.messages.map(\.uid), [1])
        XCTAssertEqual(try names(in: "\(maildir)/new").count, 1)
        XCTAssertThrowsError(try box.store(FlagChange(.add, flags: [.seen]), uids: [1])) {
            XCTAssertEqual($0 as? MailboxError, .readOnly(mailbox: "INBOX"))
        }
        XCTAssertEqual(try box.message(uid: 1).count, Int(box.snapshot.messages[0].size))
        // A read-write open later moves it to cur/ with the same UID.
        let writable = try mailboxes.open("INBOX")
        XCTAssertEqual(writable.snapshot.messages.map(\.uid), [1])
        XCTAssertEqual(try names(in: "\(maildir)/new"), [])
        XCTAssertFalse(try curFile(uid: 1).isEmpty)
    }
}
