import Foundation
import MoatCore
import XCTest
@testable import Mailstore

/// Open and sync cost on a large mailbox. 500 messages by default (seconds in a debug
/// build); `MOAT_INDEX_MESSAGES=10000` for the figures the issue asks for.
final class IndexScaleTests: IndexTestCase {
    func testColdAndWarmOpenAndIdleSync() throws {
        let count = Int(ProcessInfo.processInfo.environment["MOAT_INDEX_MESSAGES"] ?? "") ?? 500
        let message = bytes("Subject: load\r\n\r\n" + String(repeating: "line of body text\r\n", count: 40))
        let targets = [try target(bob)]
        for _ in 0..<count { _ = writer.deliver(message, from: sender, to: targets) }
        func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
            let start = DurableFile.currentTime()
            let result = try body()
            return (result, DurableFile.currentTime() - start)
        }
        var (cold, coldTime): (IndexedMailbox?, Double) = try timed { try mailboxes.open("INBOX") }
        XCTAssertEqual(cold?.snapshot.messages.count, count)
        XCTAssertEqual(cold?.snapshot.messages.last?.uid, MessageUID(count))
        // Past the mtime settle window, so "nothing changed" can be trusted.
        Thread.sleep(forTimeInterval: FolderSync.mtimeSettleTime + 0.1)
        _ = try cold?.sync()
        let (_, idleSync) = try timed { try cold?.sync() }
        cold = nil  // the next open reads the index from disk, as after a restart
        let (warm, warmTime) = try timed { try mailboxes.open("INBOX") }
        XCTAssertEqual(warm.snapshot.messages.count, count)
        print("index scale: \(count) messages: cold open \(String(format: "%.3f", coldTime)) s, "
              + "warm open \(String(format: "%.3f", warmTime)) s, sync with nothing changed "
              + "\(String(format: "%.4f", idleSync)) s")
        XCTAssertLessThan(idleSync, coldTime, "an idle sync must not rescan")
    }
}
