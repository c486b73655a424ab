import Foundation
import MoatCore
import Quarantine
import XCTest
@testable import Filter

/// When a release repeats an earlier one (and needs --force): to the original recipients,
/// any earlier release; to named recipients, only if every one of them had it already, so
/// each recipient may release their own copy from their Quarantine folder.
final class QuarantineReleaseRuleTests: XCTestCase {
    private func entry(releasedTo: [String]?) -> QuarantineEntry {
        QuarantineEntry(mailID: "AAAAAAAAAAAA", time: Date(), sender: "", recipients: ["team@example.com"], category: .spam,
                        releasedAt: releasedTo == nil ? nil : Date(), releasedTo: releasedTo)
    }

    private func address(_ text: String) -> EmailAddress { EmailAddress(parsing: text)! }

    func testNeverReleasedIsNeverARepeat() {
        XCTAssertFalse(QuarantineReleaser.alreadyReleased(entry(releasedTo: nil), to: []))
        XCTAssertFalse(QuarantineReleaser.alreadyReleased(entry(releasedTo: nil), to: [address("alice@example.com")]))
    }

    func testToTheOriginalRecipientsAnyEarlierReleaseIsARepeat() {
        XCTAssertTrue(QuarantineReleaser.alreadyReleased(entry(releasedTo: ["alice@example.com"]), to: []))
    }

    func testToNamedRecipientsOnlyTheirOwnEarlierReleaseIsARepeat() {
        let released = entry(releasedTo: ["Alice@example.com"])
        XCTAssertTrue(QuarantineReleaser.alreadyReleased(released, to: [address("alice@example.com")]))
        XCTAssertFalse(QuarantineReleaser.alreadyReleased(released, to: [address("bob@example.com")]))
        XCTAssertFalse(QuarantineReleaser.alreadyReleased(released, to: [address("alice@example.com"), address("bob@example.com")]))
    }
}
