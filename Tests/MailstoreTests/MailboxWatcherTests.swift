import Foundation
import MoatCore
import XCTest
@testable import Mailstore

/// The inotify watch IDLE waits on: every way a folder can change wakes it (another writer's
/// delivery, another reader's flag rename, another session's expunge, APPEND, and a change
/// only the index holds), a sync that finds nothing wakes nobody, and watches are given back.
final class MailboxWatcherTests: IndexTestCase {
    /// Counts wake-ups from the inotify thread.
    private final class Wakes: Sendable {
        private let count = Locked(0)

        func wake() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }

        /// Whether a wake-up beyond `seen` came within `timeout` seconds.
        func arrives(after seen: Int, within timeout: Double = 1) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if value > seen { return true }
                usleep(5_000)
            }
            return value > seen
        }

        /// The count once events stop coming (nothing for 200 ms).
        func settled() -> Int {
            var last = value
            while true {
                usleep(200_000)
                if value == last { return last }
                last = value
            }
        }
    }

    func testEveryKindOfChangeWakesTheWatcherWithinASecond() throws {
        try deliver("one")
        let box = try mailboxes.open("INBOX")
        let other = try mailboxes.open("INBOX")  // another session on the folder
        let wakes = Wakes()
        let watcher = try MailboxWatcher(mailbox: box, onChange: wakes.wake)
        defer { watcher.close() }
        XCTAssertEqual(wakes.settled(), 0, "nothing changed, nothing wakes")

        // Another writer's delivery into new/.
        var seen = wakes.value
        try deliver("two")
        XCTAssertTrue(wakes.arrives(after: seen), "delivery")
        XCTAssertEqual(try box.sync().added.map(\.uid), [2])
        _ = try other.sync()

        // Another reader (mutt) renames a file for its flags.
        seen = wakes.settled()
        let file = try curFile(uid: 1)
        try rename("\(maildir)/cur/\(file)", "\(maildir)/cur/\(file.prefix { $0 != ":" }):2,S")
        XCTAssertTrue(wakes.arrives(after: seen), "flag rename")
        XCTAssertEqual(try box.sync().flagsChanged.map(\.uid), [1])
        _ = try other.sync()

        // Another session's expunge.
        seen = wakes.settled()
        _ = try other.store(FlagChange(.add, flags: [.deleted]), uids: [2])
        XCTAssertEqual(try other.expunge(), [2])
        XCTAssertTrue(wakes.arrives(after: seen), "expunge")
        XCTAssertEqual(try box.sync().expunged, [2])

        // Another session's APPEND.
        seen = wakes.settled()
        let appended = try other.append(Array("Subject: three\r\n\r\nc\r\n".utf8))
        XCTAssertTrue(wakes.arrives(after: seen), "append")
        XCTAssertEqual(try box.sync().added.map(\.uid), [appended])
    }

    /// A keyword past the 26th has no Maildir letter: the change is in the index only, and
    /// the watcher hears it through the index's WAL.
    func testAChangeOnlyTheIndexHoldsWakesTheWatcher() throws {
        try deliver("one")
        let box = try mailboxes.open("INBOX")
        let other = try mailboxes.open("INBOX")
        let lettered = (1...26).map { "k\($0)" }
        _ = try other.store(FlagChange(.add, flags: [], keywords: lettered), uids: [1])
        _ = try box.sync()
        let wakes = Wakes()
        let watcher = try MailboxWatcher(mailbox: box, onChange: wakes.wake)
        defer { watcher.close() }
        let seen = wakes.settled()
        let namesBefore = try curNames() + names(in: "\(maildir)/new")
        _ = try other.store(FlagChange(.add, flags: [], keywords: ["beyond"]), uids: [1])
        XCTAssertEqual(try curNames() + names(in: "\(maildir)/new"), namesBefore, "no file changed")
        XCTAssertTrue(wakes.arrives(after: seen), "index-only change")
        XCTAssertTrue(try box.sync().flagsChanged.first?.keywords.contains("beyond") == true)
    }

    /// Syncs that find nothing commit nothing to the index (SQLite leaves a row rewritten with
    /// the same values alone), so they wake no watcher, this one's own included: an IDLE
    /// session's look does not wake it again and again.
    func testASyncThatFindsNothingWakesNobody() throws {
        try deliver("one")
        let box = try mailboxes.open("INBOX")
        let wakes = Wakes()
        let watcher = try MailboxWatcher(mailbox: box, onChange: wakes.wake)
        defer { watcher.close() }
        try deliver("two")
        XCTAssertTrue(wakes.arrives(after: 0))
        XCTAssertEqual(try box.sync().added.count, 1)  // moves the file, commits: wakes once more
        let seen = wakes.settled()
        for _ in 0..<5 { XCTAssertTrue(try box.sync().isEmpty) }
        XCTAssertEqual(wakes.settled(), seen, "empty syncs, even within the mtime settle time, commit nothing")
    }

    func testWatchesAreSharedAndGivenBack() throws {
        try deliver("one")
        let box = try mailboxes.open("INBOX")
        let baseline = MailboxWatcher.watchedDirectoryCount
        let first = try MailboxWatcher(mailbox: box) {}
        XCTAssertEqual(MailboxWatcher.watchedDirectoryCount, baseline + 3, "new/, cur/ and the folder")
        let second = try MailboxWatcher(mailbox: box) {}
        XCTAssertEqual(MailboxWatcher.watchedDirectoryCount, baseline + 3, "one watch per directory")
        first.close()
        first.close()
        XCTAssertEqual(MailboxWatcher.watchedDirectoryCount, baseline + 3, "still watched for the second")
        second.close()
        XCTAssertEqual(MailboxWatcher.watchedDirectoryCount, baseline)
        // The last reference going gives them back too.
        do { _ = try MailboxWatcher(mailbox: box) {} }
        XCTAssertEqual(MailboxWatcher.watchedDirectoryCount, baseline)
    }

    func testAWatchOnAMissingFolderFailsWholly() throws {
        let baseline = MailboxWatcher.watchedDirectoryCount
        try FileManager.default.createDirectory(atPath: "\(root)/half/new", withIntermediateDirectories: true)
        XCTAssertThrowsError(try MailboxWatcher(directory: "\(root)/half") {}) { error in
            guard case MailboxError.io(let operation, let path, let code) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "inotify_add_watch")
            XCTAssertEqual(path, "\(root)/half/cur")
            XCTAssertEqual(code, ENOENT)
        }
        XCTAssertEqual(MailboxWatcher.watchedDirectoryCount, baseline, "new/'s watch taken back")
    }

    /// The kernel's records, packed: a name padded with NULs, a record without a name, and
    /// a record whose name runs past the end of what was read (never trusted).
    func testInotifyRecordsAreParsedWithinTheBuffer() {
        func record(_ watch: Int32, _ mask: UInt32, _ name: String, padded: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            withUnsafeBytes(of: watch) { bytes += $0 }
            withUnsafeBytes(of: mask) { bytes += $0 }
            withUnsafeBytes(of: UInt32(0)) { bytes += $0 }
            withUnsafeBytes(of: UInt32(padded)) { bytes += $0 }
            return bytes + Array(name.utf8) + [UInt8](repeating: 0, count: padded - name.utf8.count)
        }
        var buffer = record(3, 0x80, "moat-index.sqlite-wal", padded: 32) + record(1, 0x8000, "", padded: 0)
        buffer += record(2, 0x100, "cut", padded: 16).dropLast(4)
        let events = buffer.withUnsafeBytes { InotifyEvent.parse($0) }
        XCTAssertEqual(events, [InotifyEvent(watch: 3, mask: 0x80, name: "moat-index.sqlite-wal"),
                                InotifyEvent(watch: 1, mask: 0x8000, name: "")])
    }
}
