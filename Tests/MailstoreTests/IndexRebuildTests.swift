import Foundation
import MoatCore
import XCTest
@testable import Mailstore

final class IndexRebuildTests: IndexTestCase {
    private var indexPath: String { "\(maildir)/moat-index.sqlite" }

    /// Three messages, flags on one, the highest UID expunged; returns what a client saw.
    private func populate() throws -> MailboxSnapshot {
        for subject in ["a", "b", "c", "d"] { try deliver(subject) }
        let box = try mailboxes.open("INBOX")
        _ = try box.store(FlagChange(.add, flags: [.seen], keywords: ["Work"]), uids: [2])
        _ = try box.store(FlagChange(.add, flags: [.deleted]), uids: [4])
        XCTAssertEqual(try box.expunge(), [4])
        _ = try box.sync()
        return box.snapshot
    }

    private func assertSurvived(_ before: MailboxSnapshot, file: StaticString = #filePath, line: UInt = #line) throws {
        let box = try mailboxes.open("INBOX")
        guard case .rebuilt(_, let kept) = box.openOutcome else {
            return XCTFail("expected a rebuild, got \(box.openOutcome)", file: file, line: line)
        }
        XCTAssertEqual(kept, 3, file: file, line: line)
        let after = box.snapshot
        XCTAssertEqual(after.uidValidity, before.uidValidity, file: file, line: line)
        XCTAssertEqual(after.messages.map(\.uid), before.messages.map(\.uid), file: file, line: line)
        XCTAssertEqual(after.messages.map(\.flags), before.messages.map(\.flags), file: file, line: line)
        XCTAssertEqual(after.messages.map(\.keywords), before.messages.map(\.keywords), file: file, line: line)
        XCTAssertGreaterThanOrEqual(after.uidNext, before.uidNext, file: file, line: line)
        XCTAssertGreaterThan(after.highestModSeq, before.highestModSeq, "MODSEQ only goes up", file: file, line: line)
        // UID 4 was expunged before the loss: the next delivery must not get it back.
        try deliver("e")
        let added = try box.sync().added.map(\.uid)
        XCTAssertEqual(added.count, 1, file: file, line: line)
        XCTAssertGreaterThan(added[0], 4, file: file, line: line)
    }

    func testDeletedIndexIsRebuiltKeepingUIDsFlagsAndUIDValidity() throws {
        let before = try populate()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: indexPath + suffix) }
        try assertSurvived(before)
    }

    func testGarbageIndexIsRebuilt() throws {
        let before = try populate()
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: indexPath + suffix) }
        // Hostile input: not an SQLite file at all.
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: indexPath))
        try assertSurvived(before)
        let brokenCopies = try names(in: maildir).filter { $0.hasPrefix("moat-index.sqlite.broken-") }
        XCTAssertEqual(brokenCopies.count, 1, "the damaged index is kept aside")
    }

    func testModSeqStaysMonotonicAcrossRepeatedRebuilds() throws {
        try deliver("a")
        var highest: ModSeq = 0
        for round in 0..<3 {
            let box = try mailboxes.open("INBOX")
            _ = try box.store(FlagChange(.replace, flags: round % 2 == 0 ? [.seen] : []), uids: [1])
            _ = try box.sync()
            XCTAssertGreaterThan(box.snapshot.highestModSeq, highest, "round \(round)")
            highest = box.snapshot.highestModSeq
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: indexPath + suffix) }
        }
    }

    func testUncommittedUIDInFileNameIsKeptAfterCrash() throws {
        try deliver("a")
        _ = try mailboxes.open("INBOX")
        // As if a sync renamed a file to U=2 and died before committing: UIDNEXT is still 2.
        try FileManager.default.createDirectory(atPath: "\(maildir)/cur", withIntermediateDirectories: true)
        try Data("Subject: b\n\n".utf8).write(to: URL(fileURLWithPath: "\(maildir)/cur/1700000000.M1P1.h,U=2:2,S"))
        // And a stale copy whose U= is a UID already in use: it gets a fresh one.
        let first = try curFile(uid: 1)
        try FileManager.default.copyItem(atPath: "\(maildir)/cur/\(first)",
                                         toPath: "\(maildir)/cur/1700000000.M2P1.h,U=1:2,")
        let box = try mailboxes.open("INBOX")
        XCTAssertEqual(box.snapshot.messages.map(\.uid), [1, 2, 3])
        XCTAssertEqual(box.snapshot.messages[1].flags, [.seen])
        XCTAssertEqual(try curNames().filter { $0.contains(",U=1:") }.count, 1, "no two files claim UID 1")
    }
}
