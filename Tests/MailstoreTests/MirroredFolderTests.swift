import Foundation
import MoatCore
import XCTest
@testable import Mailstore

/// A Maildir that mirrors a list kept elsewhere (the Quarantine view): items come and go by
/// ID, the index sees them as any Maildir writer's mail, and two reconciles at once never
/// add an item twice.
final class MirroredFolderTests: IndexTestCase {
    private var view: MirroredFolder { MirroredFolder(directory: "\(maildir)/moat-quarantine", tag: "quarantine") }

    private func content(_ id: String) -> [UInt8] { Array("Subject: held \(id)\n\nbody\n".utf8) }

    func testReconcileAddsAndRemovesItemsTheIndexThenReports() throws {
        let first = try view.reconcile(wanted: [.init(id: "AAAAAAAAAAAA", date: 1_700_000_000),
                                                .init(id: "BBBBBBBB-_bb", date: 1_700_000_100)]) { content($0) }
        XCTAssertEqual(first.added, 2)
        let mailbox = try IndexedMailbox(directory: view.directory, name: "Quarantine")
        let messages = mailbox.snapshot.messages
        XCTAssertEqual(messages.count, 2)
        XCTAssertEqual(Set(messages.compactMap { view.itemID(baseName: $0.baseName) }), ["AAAAAAAAAAAA", "BBBBBBBB-_bb"])
        XCTAssertEqual(messages.map(\.internalDate).sorted(), [1_700_000_000, 1_700_000_100], "the item's date is INTERNALDATE")
        XCTAssertEqual(messages.map(\.size).sorted(), Array(repeating: Int64(content("AAAAAAAAAAAA").count + 3), count: 2), "RFC822.SIZE counts CRLF")
        let bUID = try XCTUnwrap(messages.first { view.itemID(baseName: $0.baseName) == "BBBBBBBB-_bb" }?.uid)

        let second = try view.reconcile(wanted: [.init(id: "BBBBBBBB-_bb", date: 1_700_000_100),
                                                 .init(id: "CCCCCCCCCCCC", date: 1_700_000_200)]) { content($0) }
        XCTAssertEqual([second.added, second.removed], [1, 1])
        let changes = try mailbox.sync()
        XCTAssertEqual(changes.expunged.count, 1, "the removed item is an expunge to the index")
        XCTAssertTrue(mailbox.snapshot.messages.contains { $0.uid == bUID }, "an item that stays keeps its UID")
        XCTAssertEqual(mailbox.snapshot.messages.count, 2)
    }

    func testAnItemWhoseContentFailsIsSkippedAndRetried() throws {
        struct Unreadable: Error {}
        let outcome = try view.reconcile(wanted: [.init(id: "AAAAAAAAAAAA", date: 1), .init(id: "BBBBBBBBBBBB", date: 2)]) { id in
            if id == "AAAAAAAAAAAA" { throw Unreadable() }
            return content(id)
        }
        XCTAssertEqual(outcome.added, 1)
        XCTAssertEqual(outcome.failures.map(\.id), ["AAAAAAAAAAAA"])
        XCTAssertEqual(try names(in: "\(view.directory)/tmp").filter { !$0.hasPrefix(".") }, [], "nothing left in tmp/")
        let retried = try view.reconcile(wanted: [.init(id: "AAAAAAAAAAAA", date: 1), .init(id: "BBBBBBBBBBBB", date: 2)]) { content($0) }
        XCTAssertEqual(retried.added, 1)
    }

    func testOtherFilesAndNamesAreLeftAlone() throws {
        try view.create()
        try drop("1700000000.M1P2Q3.host,S=10", "Subject: x\n\nx\n", in: view.directory)
        let outcome = try view.reconcile(wanted: []) { content($0) }
        XCTAssertEqual(outcome.removed, 0)
        XCTAssertEqual(try names(in: "\(view.directory)/new").count, 1)
        XCTAssertNil(view.itemID(baseName: "1700000000.M1P2Q3.host,S=10"))
        XCTAssertNil(view.itemID(baseName: "1700000000.I.quarantine"))
        XCTAssertEqual(view.itemID(baseName: "1700000000.IAbc-_12345678.quarantine,S=1,W=2,U=7"), "Abc-_12345678")
    }

    func testConcurrentReconcilesAddEachItemOnce() throws {
        let wanted = (0..<20).map { MirroredFolder.Item(id: "ITEM\(String(format: "%08d", $0))", date: Double(1_700_000_000 + $0)) }
        let folder = view
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            _ = try? folder.reconcile(wanted: wanted) { Array("Subject: \($0)\n\nx\n".utf8) }
            // Another session indexing meanwhile moves new/ to cur/, where a second add must see it.
            _ = try? IndexedMailbox(directory: folder.directory, name: "Quarantine")
        }
        let mailbox = try IndexedMailbox(directory: view.directory, name: "Quarantine")
        XCTAssertEqual(mailbox.snapshot.messages.count, 20)
        XCTAssertEqual(Set(mailbox.snapshot.messages.compactMap { view.itemID(baseName: $0.baseName) }).count, 20)
    }
}
