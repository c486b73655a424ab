import Foundation
import MoatCore
import XCTest
@testable import Mailstore

final class IndexConcurrencyTests: IndexTestCase {
    /// Two sessions storing, syncing and appending on one INBOX while a delivery loop
    /// writes into new/: every message ends with exactly one UID, all distinct.
    func testTwoHandlesAndConcurrentDeliveryNeverShareAUID() throws {
        try deliver("seed")
        let first = try mailboxes.open("INBOX")
        let second = try mailboxes.open("INBOX")
        let deliveries = 40
        let appendsEach = 15
        let failures = Locked<[String]>([])
        let writer = self.writer
        let delivery = try target(bob)
        let sender = self.sender
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            do {
                switch worker {
                case 0:
                    for index in 0..<deliveries {
                        _ = try writer.deliver(Array("Subject: loop \(index)\r\n\r\n".utf8), from: sender, to: delivery)
                    }
                default:
                    let box = worker == 1 ? first : second
                    for index in 0..<appendsEach {
                        _ = try box.append(Array("Subject: w\(worker) \(index)\r\n\r\n".utf8))
                        _ = try box.sync()
                        _ = try box.store(FlagChange(.add, flags: [.seen]), uids: box.snapshot.messages.map(\.uid))
                    }
                }
            } catch {
                failures.withLock { $0.append("worker \(worker): \(error)") }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        _ = try first.sync()
        _ = try second.sync()
        let total = 1 + deliveries + 2 * appendsEach
        XCTAssertEqual(first.snapshot.messages.count, total)
        XCTAssertEqual(Set(first.snapshot.messages.map(\.uid)).count, total)
        XCTAssertEqual(first.snapshot.messages.map(\.uid), second.snapshot.messages.map(\.uid))
        let files = try curNames()
        XCTAssertEqual(files.count, total)
        let uidsInNames = files.compactMap { MaildirFileName($0).uid }
        XCTAssertEqual(Set(uidsInNames), Set(first.snapshot.messages.map(\.uid)))
        XCTAssertEqual(try names(in: "\(maildir)/new"), [])
    }
}
