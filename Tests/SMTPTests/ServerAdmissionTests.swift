import NetworkService
import MoatCore
import NIOCore
import XCTest
@testable import SMTP

/// ConnectionAdmission: who gets a session, without sockets.
final class ServerAdmissionTests: XCTestCase {
    private let t0 = NIODeadline.uptimeNanoseconds(5_000_000_000_000)
    private func at(_ seconds: Int64) -> NIODeadline { t0 + .seconds(seconds) }

    /// The filter's access list: 127.0.0.1 is loopback, yet not on a list naming 127.0.0.2.
    func testClientOutsideTheAccessListIsRefusedWith554() throws {
        var admission = ConnectionAdmission(.init(allowed: try NetworkSet(["127.0.0.2"]), maxConnections: 10))
        let refused = admission.admit("127.0.0.1", now: t0).refusal
        XCTAssertEqual(refused, .notAllowed)
        let reply = try XCTUnwrap(refused).reply(hostname: "moat.test", peer: "127.0.0.1")
        XCTAssertEqual(reply.code, 554)
        XCTAssertEqual(reply.enhanced, "5.7.1")
        XCTAssertEqual(admission.admit(nil, now: t0).refusal, .notAllowed)
        XCTAssertNil(admission.admit("127.0.0.2", now: t0).refusal)
        XCTAssertEqual(admission.active, 1)
    }

    /// A reload's new rules apply to the next connection; sessions counted so far stay counted.
    func testReplacedRulesKeepTheSessionsCounted() {
        var admission = ConnectionAdmission(.init(maxConnections: 10))
        XCTAssertNil(admission.admit("192.0.2.1", now: t0).refusal)
        XCTAssertNil(admission.admit("192.0.2.2", now: t0).refusal)
        XCTAssertTrue(admission.replaceRules(.init(maxConnections: 2)), "2 of 2 in use is stress")
        XCTAssertEqual(admission.admit("192.0.2.3", now: t0).refusal, .tooMany(active: 2))
        XCTAssertTrue(admission.release("192.0.2.1"))
        XCTAssertEqual(admission.rules.maxConnections, 2)
    }

    func testNoAccessListAdmitsEveryone() {
        var admission = ConnectionAdmission(.init(maxConnections: 10))
        XCTAssertNil(admission.admit("192.0.2.7", now: t0).refusal)
        XCTAssertNil(admission.admit(nil, now: t0).refusal)
    }

    func testTotalAndPerClientLimits() {
        var admission = ConnectionAdmission(.init(maxConnections: 3, maxConnectionsPerClient: 2))
        XCTAssertNil(admission.admit("192.0.2.1", now: t0).refusal)
        XCTAssertNil(admission.admit("192.0.2.1", now: t0).refusal)
        XCTAssertEqual(admission.admit("192.0.2.1", now: t0).refusal, .tooManyFromClient(active: 2))
        XCTAssertNil(admission.admit("192.0.2.2", now: t0).refusal)
        XCTAssertEqual(admission.admit("192.0.2.3", now: t0).refusal, .tooMany(active: 3))
        _ = admission.release("192.0.2.1")
        XCTAssertNil(admission.admit("192.0.2.3", now: t0).refusal)
    }

    /// smtpd_client_connection_rate_limit = 3 per 60 s: the 4th connection in the window
    /// gets 421 4.7.0 even though the first three have ended; a new window admits again;
    /// another client and an exempt (mynetworks) client are not affected.
    func testConnectionRateLimitRefusesTheNPlusFirstInAWindow() throws {
        let mynetworks = try NetworkSet(["192.0.2.0/24"])
        var admission = ConnectionAdmission(.init(maxConnections: 100, connectionRateLimit: 3,
                                                  rateTimeUnit: .seconds(60), exempt: { mynetworks.contains($0) }))
        for second in [0, 10, 20] as [Int64] {
            XCTAssertNil(admission.admit("198.51.100.9", now: at(second)).refusal)
            _ = admission.release("198.51.100.9")
        }
        let refusal = admission.admit("198.51.100.9", now: at(30)).refusal
        XCTAssertEqual(refusal, .rateExceeded(connections: 4, per: .seconds(60)))
        let reply = try XCTUnwrap(refusal).reply(hostname: "mx.test", peer: "198.51.100.9")
        XCTAssertEqual(reply.code, 421)
        XCTAssertEqual(reply.enhanced, "4.7.0")
        XCTAssertTrue(reply.lines.joined().contains("too many connections from 198.51.100.9"), "\(reply)")
        XCTAssertNil(admission.admit("198.51.100.10", now: at(30)).refusal, "another client has its own count")
        for _ in 0..<10 {
            XCTAssertNil(admission.admit("192.0.2.5", now: at(30)).refusal, "mynetworks is exempt")
        }
        XCTAssertNil(admission.admit("198.51.100.9", now: at(61)).refusal, "a new window")
        XCTAssertEqual(admission.active, 12)
    }

    func testRateLimitZeroIsUnlimited() {
        var admission = ConnectionAdmission(.init(maxConnections: 1000))
        for _ in 0..<500 {
            XCTAssertNil(admission.admit("198.51.100.9", now: t0).refusal)
            _ = admission.release("198.51.100.9")
        }
    }

    /// Stress while fewer than 20% of the slots are free: with 10 slots, from the 9th
    /// session on; it ends when a slot more is free again. Each change is reported once.
    func testStressBeginsAndEndsWithFreeSlots() {
        var admission = ConnectionAdmission(.init(maxConnections: 10))
        var changes: [Int] = []
        for n in 1...10 {
            if admission.admit("127.0.0.\(n + 1)", now: t0).stressChanged { changes.append(n) }
        }
        XCTAssertEqual(changes, [9])
        XCTAssertTrue(admission.isStressed)
        XCTAssertFalse(admission.release("127.0.0.11"))
        XCTAssertTrue(admission.release("127.0.0.10"))
        XCTAssertFalse(admission.isStressed)
        XCTAssertFalse(admission.release("127.0.0.9"))
    }
}
