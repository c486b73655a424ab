import Foundation
import IMAP
@testable import IMAPServer
import Mailstore
import MoatCore
import XCTest

/// IDLE waits on the selected mailbox's inotify watch, as the connection runs it: no sync
/// while nothing changes, and another session's flags, expunges and appends reach the idling
/// session within a second, with a few syncs per change.
final class IdleWakeupTests: IMAPSessionTestCase {
    private func loggedIn() async throws -> IMAPSession {
        let session = session()
        try await session.run("l LOGIN alice@example.com sesame")
        return session
    }

    /// The IDLE loop of `IMAPConnection`, counting its looks (each one sync) and keeping
    /// what it would have written.
    private final class IdleLoop: Sendable {
        let looks = Locked(0)
        let written = Locked("")
        let task: Task<Void, Never>

        init(_ session: IMAPSession, _ wakeups: IdleWakeups) {
            let (looks, written) = (self.looks, self.written)
            task = Task {
                defer { wakeups.close() }
                for await _ in wakeups.stream {
                    looks.withLock { $0 += 1 }
                    await session.idleCheck()
                    let output = String(decoding: session.takeOutput(), as: UTF8.self)
                    written.withLock { $0 += output }
                    try? await Task.sleep(for: IdleWakeups.settleTime)
                }
            }
        }

        /// Waits up to a second for `text` in what was written.
        func sees(_ text: String) async -> Bool {
            for _ in 0..<100 {
                if written.withLock({ $0.contains(text) }) { return true }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return false
        }
    }

    func testNoSyncWhileNothingChangesAndOtherSessionsChangesArriveWithinASecond() async throws {
        let idler = try await loggedIn(), other = try await loggedIn()
        await appendMessage(other, "one")
        try await idler.run("s SELECT INBOX")
        try await other.run("s SELECT INBOX")
        let baseline = MailboxWatcher.watchedDirectoryCount
        let wakeups = idler.idleWakeups()
        XCTAssertTrue(wakeups.isWatching)
        XCTAssertEqual(MailboxWatcher.watchedDirectoryCount, baseline + 3)
        let loop = IdleLoop(idler, wakeups)

        try await Task.sleep(for: .milliseconds(1500))
        XCTAssertEqual(loop.looks.withLock { $0 }, 1, "one look as IDLE starts, then no sync while nothing changes (fallback timer: 30 s)")

        try await other.run("f STORE 1 +FLAGS.SILENT (\\Flagged)")
        let flagged = await loop.sees("* 1 FETCH (FLAGS (\\Flagged \\Recent))")
        XCTAssertTrue(flagged, loop.written.withLock { $0 })
        await appendMessage(other, "two")
        let appended = await loop.sees("* 2 EXISTS")
        XCTAssertTrue(appended, loop.written.withLock { $0 })
        try await other.run("d STORE 1 +FLAGS.SILENT (\\Deleted)")
        try await other.run("e EXPUNGE")
        let expunged = await loop.sees("* 1 EXPUNGE")
        XCTAssertTrue(expunged, loop.written.withLock { $0 })

        try await Task.sleep(for: .milliseconds(1500))
        let looks = loop.looks.withLock { $0 }
        XCTAssertLessThanOrEqual(looks, 12, "a few syncs per change, not one per event or per tick")
        try await Task.sleep(for: .milliseconds(1200))
        XCTAssertEqual(loop.looks.withLock { $0 }, looks, "quiet again once the changes are told")

        loop.task.cancel()
        await loop.task.value
        XCTAssertEqual(MailboxWatcher.watchedDirectoryCount, baseline, "watch given back when IDLE ends")
        await idler.ended()
        await other.ended()
    }

    /// IDLE without a selected mailbox watches nothing, and only the timer wakes it.
    func testIdleWithoutASelectedMailboxWatchesNothing() async throws {
        let session = try await loggedIn()
        let baseline = MailboxWatcher.watchedDirectoryCount
        let wakeups = session.idleWakeups()
        XCTAssertFalse(wakeups.isWatching)
        XCTAssertEqual(MailboxWatcher.watchedDirectoryCount, baseline)
        wakeups.close()
        await session.ended()
    }
}
