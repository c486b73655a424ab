import Foundation
import MoatCore
import XCTest
@testable import Mailstore

/// A cold open (no index) builds the index with one scan. The build renames each file to
/// add `U=`, so `cur/` gets a new mtime; a listing at the end of the build vouches for that
/// state, once, instead of a second full scan. The mtime settle rule still holds.
final class IndexBuildScanTests: IndexTestCase {
    func testColdOpenScansTheFolderOnce() throws {
        for number in 1...20 { try deliver("message \(number)") }
        let box = try mailboxes.open("INBOX")
        XCTAssertEqual(box.openOutcome, .created)
        XCTAssertEqual(box.snapshot.messages.map(\.uid), Array(1...20))
        XCTAssertEqual(box.storage.scans.withLock { $0 }, 1, "the build's scan, and no second one at the open")
        // The build's state was good for that one look only: `cur/` changed under a second
        // ago, so the index records no mtime and the next look scans.
        let counters = try box.storage.read("test") { try MailboxCounters.fetch($0) }
        XCTAssertEqual(counters?.curMtime, 0)
        XCTAssertTrue(try box.sync().isEmpty)
        XCTAssertEqual(box.storage.scans.withLock { $0 }, 2)
    }

    func testDeliveryBetweenBuildAndOpenIsSeenByTheOpen() throws {
        try deliver("before the build")
        let storage = try MailboxStorage.shared(directory: maildir, readOnly: false)
        XCTAssertNotNil(storage.leftByBuild.withLock { $0 })
        // A later clock tick than the build's last look, so `new/`'s mtime moves.
        Thread.sleep(forTimeInterval: 0.05)
        try deliver("after the build")
        let box = try mailboxes.open("INBOX")
        XCTAssertEqual(box.snapshot.messages.map(\.uid), [1, 2])
        XCTAssertEqual(storage.scans.withLock { $0 }, 2, "the build, then a scan for the delivery")
        XCTAssertEqual(try names(in: "\(maildir)/new"), [])
    }

    func testReadOnlyBuildDoesNotSpareAReadWriteOpenItsMoves() throws {
        try deliver("left in new by a read-only build")
        let storage = try MailboxStorage.shared(directory: maildir, readOnly: true)
        XCTAssertEqual(try names(in: "\(maildir)/new").count, 1)
        let box = try mailboxes.open("INBOX")
        XCTAssertEqual(box.snapshot.messages.map(\.uid), [1])
        XCTAssertEqual(storage.scans.withLock { $0 }, 2)
        XCTAssertEqual(try names(in: "\(maildir)/new"), [], "the read-write open moved it to cur/")
    }

    // The listing at the end of the build against what the build left: each hostile
    // change another writer can make meanwhile must void the state.

    func testLeftStateMatchesAnUntouchedFolder() throws {
        let expected = try leftByBuild()
        let state = try MaildirDirectoryState.matching(expected, in: maildir, movedNew: true)
        XCTAssertNotNil(state)
        XCTAssertEqual(state?.isCurrent(in: maildir), true)
    }

    func testDeliveryIntoNewDuringTheBuildVoidsTheLeftState() throws {
        let expected = try leftByBuild()
        try drop("1700000009.M1P1.other", "Subject: delivered meanwhile\n\nx\n")
        XCTAssertNil(try MaildirDirectoryState.matching(expected, in: maildir, movedNew: true))
    }

    func testFlagRenameByAnotherReaderDuringTheBuildVoidsTheLeftState() throws {
        let expected = try leftByBuild()
        let file = try curFile(uid: 1)
        try rename("\(maildir)/cur/\(file)", "\(maildir)/cur/\(file)S")
        XCTAssertNil(try MaildirDirectoryState.matching(expected, in: maildir, movedNew: true))
    }

    func testDeletionByAnotherReaderDuringTheBuildVoidsTheLeftState() throws {
        let expected = try leftByBuild()
        try FileManager.default.removeItem(atPath: "\(maildir)/cur/\(try curFile(uid: 2))")
        XCTAssertNil(try MaildirDirectoryState.matching(expected, in: maildir, movedNew: true))
    }

    /// Builds an index over two messages and gives the files it left, as "cur/name".
    private func leftByBuild() throws -> Set<String> {
        try deliver("one")
        try deliver("two")
        _ = try mailboxes.open("INBOX")
        return Set(try curNames().map { "cur/\($0)" })
    }
}
