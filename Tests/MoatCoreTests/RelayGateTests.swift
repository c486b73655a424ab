import XCTest
@testable import MoatCore

/// The relay and recipient lists read as Postfix runs them: a stranger's foreign recipient is
/// relayed when neither list reaches a refusal before permitting everyone.
final class RelayGateTests: XCTestCase {
    private func open(_ relay: [String], _ recipient: [String] = []) -> String? {
        RelayGate(relay: relay, recipient: recipient).openRelay?.key
    }

    func testClosedLists() {
        XCTAssertNil(open(["permit_mynetworks", "permit_sasl_authenticated", "reject_unauth_destination"]))
        XCTAssertNil(open(["permit_mynetworks", "reject"]))
        // the relay list lets everyone through, but the recipient list still refuses
        XCTAssertNil(open(["permit"], ["permit_mynetworks", "reject_unauth_destination"]))
        XCTAssertNil(open([], ["PERMIT_MYNETWORKS", "REJECT_UNAUTH_DESTINATION"]))
        XCTAssertNil(open(["reject_rbl_client zen.example, reject_unauth_destination", "permit"]))
    }

    func testPermitBeforeRefusal() {
        XCTAssertEqual(open(["permit", "reject_unauth_destination"]), "relay")
        XCTAssertEqual(open(["permit_mynetworks, permit, reject"]), "relay")
        XCTAssertEqual(open([], ["check_sender_access /etc/x", "Permit", "reject_unauth_destination"]), "recipient")
        XCTAssertEqual(open(["permit_mynetworks"], ["permit", "reject"]), "recipient")
    }

    func testNoRefusalAnywhere() {
        XCTAssertEqual(open(["permit_mynetworks"]), "relay")
        XCTAssertEqual(open([], ["reject_unlisted_recipient"]), "relay")
        let gate = RelayGate(relay: ["permit_mynetworks", "permit", "reject"], recipient: [])
        XCTAssertEqual(gate.relay, .permitsEveryone(entry: 1))
        XCTAssertEqual(gate.openRelay?.problem, "entry 2 'permit' permits every client before any "
                       + "reject_unauth_destination (or reject), and the recipient list does not refuse either: "
                       + "that is an open relay")
    }
}
