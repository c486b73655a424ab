import Foundation
import MoatCore
import Policy
import XCTest

/// access(5) tables written to real files in a temporary directory.
final class AccessTableTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("moat-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private let clientTable = """
        # client access, as postmap would read it
        192.0.2.66          REJECT
        192.0.2             OK
        198.51.100          550 5.7.0 Go away
        203.0.113.7         DEFER try later
        2001:db8:bad        REJECT no v6 spam
        spammy.example      REJECT
        ok.spammy.example   DUNNO
        10.0.0.0/8          REJECT 5.7.2 from the cidr key
          continued text
        """

    func testClientLookupOrder() throws {
        let table = try AccessTable(contentsOfFile: try write("client_access", clientTable))
        func hit(_ name: String, _ ip: String) -> AccessAction? { table.lookupClient(hostname: name, address: IPAddress(ip)!) }
        XCTAssertEqual(hit("unknown", "192.0.2.66"), .reject(code: 554, enhancedCode: nil, text: nil))
        XCTAssertEqual(hit("unknown", "192.0.2.1"), .permit)  // parent network 192.0.2
        XCTAssertEqual(hit("unknown", "198.51.100.3"), .reject(code: 550, enhancedCode: "5.7.0", text: "Go away"))
        XCTAssertEqual(hit("unknown", "203.0.113.7"), .defer(code: 450, enhancedCode: nil, text: "try later"))
        XCTAssertEqual(hit("unknown", "2001:db8:bad::1"), .reject(code: 554, enhancedCode: nil, text: "no v6 spam"))
        // The hostname (and its parent domains) comes before the address.
        XCTAssertEqual(hit("mx1.SPAMMY.example", "192.0.2.1"), .reject(code: 554, enhancedCode: nil, text: nil))
        XCTAssertEqual(hit("ok.spammy.example", "192.0.2.66"), .dunno)
        XCTAssertEqual(hit("unknown", "10.1.2.3"),
                       .reject(code: 554, enhancedCode: "5.7.2", text: "from the cidr key continued text"))
        XCTAssertNil(hit("unknown", "198.18.0.1"))
    }

    func testSenderLookupOrder() throws {
        let table = try AccessTable(text: """
            boss@corp.example   OK
            corp.example        REJECT
            postmaster@         OK
            <>                  550 no bounces here
            """, path: "sender_access")
        XCTAssertEqual(table.lookupSender(Fixtures.address("Boss@Corp.Example")), .permit)
        XCTAssertEqual(table.lookupSender(Fixtures.address("joe@corp.example")), .reject(code: 554, enhancedCode: nil, text: nil))
        XCTAssertEqual(table.lookupSender(Fixtures.address("joe@eu.corp.example")), .reject(code: 554, enhancedCode: nil, text: nil))
        XCTAssertEqual(table.lookupSender(Fixtures.address("postmaster@corp.example")), .reject(code: 554, enhancedCode: nil, text: nil))
        XCTAssertEqual(table.lookupSender(Fixtures.address("postmaster@other.example")), .permit)
        XCTAssertEqual(table.lookupSender(.null), .reject(code: 550, enhancedCode: nil, text: "no bounces here"))
        XCTAssertNil(table.lookupSender(Fixtures.address("x@other.example")))
    }

    func testBadLinesNameFileAndLine() throws {
        let path = try write("bad", "ok.example OK\nfoo.example FROBNICATE\n")
        XCTAssertThrowsError(try AccessTable(contentsOfFile: path)) { error in
            let e = error as? AccessTableError
            XCTAssertEqual(e?.path, path)
            XCTAssertEqual(e?.line, 2)
            XCTAssertEqual(e?.reason, "unsupported action 'FROBNICATE'")
        }
        XCTAssertThrowsError(try AccessTable(text: "lonely.example\n", path: "t")) {
            XCTAssertEqual(($0 as? AccessTableError)?.line, 1)
        }
        XCTAssertThrowsError(try AccessTable(text: "x.example 550\n", path: "t")) {
            XCTAssertEqual(($0 as? AccessTableError)?.reason, "'550' needs a text after the code")
        }
    }

    func testRepliesThroughTheEvaluator() async throws {
        let clientPath = try write("client_access", clientTable)
        let senderPath = try write("sender_access", "corp.example REJECT\nvip.example OK\n")
        let e = try Fixtures.evaluator([
            .client: ["check_client_access \(clientPath)"],
            .sender: ["check_sender_access \(senderPath)"],
            .recipient: ["reject_unauth_destination"],
        ])
        func decide(_ ip: String, _ sender: String, _ rcpt: String = "alice@local.example") async -> PolicyDecision {
            await e.checkRecipient(PolicyContext(clientAddress: IPAddress(ip)!, helo: "h.example",
                                                 sender: Fixtures.address(sender), recipient: Fixtures.address(rcpt)))
        }
        let denied = await decide("192.0.2.66", "a@b.example")
        XCTAssertEqual(denied.reply?.description, "554 5.7.1 <unknown[192.0.2.66]>: Client host rejected: Access denied")
        let custom = await decide("198.51.100.3", "a@b.example")
        XCTAssertEqual(custom.reply?.description, "550 5.7.0 <unknown[198.51.100.3]>: Client host rejected: Go away")
        let deferred = await decide("203.0.113.7", "a@b.example")
        XCTAssertEqual(deferred, .defer(PolicyReply(code: 450, enhancedCode: "4.7.1",
                                                    text: "<unknown[203.0.113.7]>: Client host rejected: try later")))
        let sender = await decide("198.18.0.1", "joe@corp.example")
        XCTAssertEqual(sender.reply?.description, "554 5.7.1 <joe@corp.example>: Sender address rejected: Access denied")
        // OK in the client list ends only that list: relaying is still refused.
        let okClient = await decide("192.0.2.1", "a@vip.example", "x@remote.example")
        XCTAssertEqual(okClient.reply?.description, "554 5.7.1 <x@remote.example>: Relay access denied")
        let fine = await decide("192.0.2.1", "a@vip.example")
        XCTAssertEqual(fine, .permit)
    }
}
