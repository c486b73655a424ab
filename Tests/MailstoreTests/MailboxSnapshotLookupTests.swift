import XCTest
@testable import Mailstore

/// FETCH finds its messages in the snapshot by UID, by binary search: UIDs have gaps where
/// messages were expunged, and a UID asked for may be gone.
final class MailboxSnapshotLookupTests: XCTestCase {
    private func snapshot(_ uids: [MessageUID]) -> MailboxSnapshot {
        MailboxSnapshot(
            uidValidity: 1, uidNext: (uids.last ?? 0) + 1, highestModSeq: 1,
            messages: uids.map {
                IndexedMessage(uid: $0, flags: [], keywords: [], modSeq: 1, size: Int64($0) * 10, internalDate: 0,
                               baseName: "base\($0)")
            },
            keywords: [])
    }

    func testEveryPresentUIDIsFoundWithItsOwnRecord() {
        let uids: [MessageUID] = [1, 2, 5, 9, 10, 11, 400, 4_000_000_000]
        let box = snapshot(uids)
        for uid in uids { XCTAssertEqual(box.message(uid: uid)?.baseName, "base\(uid)") }
    }

    func testExpungedAndUnknownUIDsAreNotFound() {
        let box = snapshot([2, 5, 9, 400])
        for uid: MessageUID in [0, 1, 3, 4, 6, 8, 10, 399, 401, .max] { XCTAssertNil(box.message(uid: uid), "\(uid)") }
        XCTAssertNil(snapshot([]).message(uid: 1))
    }

    func testLookupMatchesALinearSearchOnALargeGappedMailbox() {
        let uids = (1...10_000).map { MessageUID($0 * 3) }
        let box = snapshot(uids)
        for uid in MessageUID(0)...MessageUID(30_003) {
            XCTAssertEqual(box.message(uid: uid)?.uid, uid % 3 == 0 && uid > 0 && uid <= 30_000 ? uid : nil)
        }
    }
}
