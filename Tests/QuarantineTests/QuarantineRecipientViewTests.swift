import Foundation
import MoatCore
import XCTest
@testable import Quarantine

/// What each recipient's Quarantine folder is made from: entries by blocked recipient,
/// without what the user deleted from their view or had released to them.
final class QuarantineRecipientViewTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("moat-qview-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    private func makeStore() throws -> QuarantineStore {
        try QuarantineStore(directory: root.appendingPathComponent("files").path,
                            indexPath: root.appendingPathComponent("quarantine.sqlite").path)
    }

    @discardableResult
    private func hold(_ store: QuarantineStore, for recipients: [String], at time: Double,
                      category: QuarantineCategory = .spam, id: String = MailID.generate()) throws -> String {
        let envelope = Envelope(sender: EmailAddress(parsing: "s@example.org")!,
                                recipients: recipients.map { EmailAddress(parsing: $0)! })
        try store.store(message: Array("Subject: x\r\n\r\nx\r\n".utf8), envelope: envelope,
                        entry: QuarantineEntry(mailID: id, time: Date(timeIntervalSince1970: time), sender: "s@example.org",
                                               recipients: recipients, category: category))
        return id
    }

    func testEntriesAreFoundByAnyOfTheirRecipientsOldestFirstWithoutCase() throws {
        let store = try makeStore()
        let later = try hold(store, for: ["Team@Example.com", "carol@example.net"], at: 2000)
        let earlier = try hold(store, for: ["alice@example.com"], at: 1000)
        try hold(store, for: ["bob@example.com"], at: 1500)
        XCTAssertEqual(try store.blockedRecipients(),
                       ["alice@example.com", "bob@example.com", "carol@example.net", "team@example.com"])
        let mine = try store.entries(addressedTo: ["alice@example.com", "team@example.com"], shownTo: "alice@example.com")
        XCTAssertEqual(mine.map(\.mailID), [earlier, later])
        XCTAssertEqual(try store.entries(addressedTo: [], shownTo: "alice@example.com"), [])
    }

    func testADismissalHidesTheEntryFromThatUserOnlyAndGoesWithTheEntry() throws {
        let store = try makeStore()
        let shared = try hold(store, for: ["team@example.com"], at: 1000)
        try store.dismiss([shared, MailID.generate()], by: "Bob@example.com")
        XCTAssertEqual(try store.entries(addressedTo: ["team@example.com"], shownTo: "bob@example.com"), [])
        XCTAssertEqual(try store.entries(addressedTo: ["team@example.com"], shownTo: "alice@example.com").map(\.mailID), [shared])
        XCTAssertNotNil(try store.entry(shared), "the entry stays for the admin and the others")
        try store.dismiss([shared], by: "bob@example.com")  // twice is once

        try store.delete(shared)
        // The same ID stored again (as a restore would): a dismissal left behind would hide it.
        try hold(store, for: ["team@example.com"], at: 1000, id: shared)
        XCTAssertEqual(try store.entries(addressedTo: ["team@example.com"], shownTo: "bob@example.com").map(\.mailID), [shared],
                       "deleting an entry deletes its dismissals")
    }

    func testAnEntryReleasedToTheUserLeavesTheirViewOnly() throws {
        let store = try makeStore()
        let shared = try hold(store, for: ["team@example.com"], at: 1000)
        try store.markReleased(QuarantineRelease(mailID: shared, time: Date(), releasedBy: "alice@example.com",
                                                 recipients: ["Alice@example.com"], route: "queue"))
        XCTAssertEqual(try store.entries(addressedTo: ["team@example.com"], shownTo: "alice@example.com"), [])
        XCTAssertEqual(try store.entries(addressedTo: ["team@example.com"], shownTo: "bob@example.com").map(\.mailID), [shared])
    }

    /// An admin's release to the original recipients (`team@`) reached alice and bob: it leaves
    /// both their views, so neither can release it a second time.
    func testAnAdminReleaseToTheOriginalRecipientsLeavesEveryView() throws {
        let store = try makeStore()
        let shared = try hold(store, for: ["team@example.com"], at: 1000)
        try store.markReleased(QuarantineRelease(mailID: shared, time: Date(), releasedBy: "root",
                                                 recipients: ["team@example.com"], route: "queue"))
        for user in ["alice@example.com", "bob@example.com"] {
            XCTAssertEqual(try store.entries(addressedTo: ["team@example.com", user], shownTo: user), [], user)
        }
        XCTAssertEqual(try store.blockedRecipients(), ["team@example.com"])
    }

    func testAMalformedIDIsRefusedBeforeItNearsTheIndex() throws {
        let store = try makeStore()
        XCTAssertThrowsError(try store.dismiss(["../etc/passwd"], by: "bob@example.com"))
    }
}
