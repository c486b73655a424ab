import MailAccess
import XCTest

/// Dovecot's figures: 2, 4, 8, 15 s; forgotten after the sum of them (29 s) without failure.
final class AuthPenaltyTests: XCTestCase {
    private let start = ContinuousClock.now

    func testDelayDoublesUpToTheMaximum() {
        var penalty = AuthPenalty()
        XCTAssertEqual(penalty.delay(for: "192.0.2.7", now: start), .zero)
        var delays: [Duration] = []
        for second in 0..<6 {
            penalty.failed("192.0.2.7", now: start + .seconds(second))
            delays.append(penalty.delay(for: "192.0.2.7", now: start + .seconds(second)))
        }
        XCTAssertEqual(delays, [.seconds(2), .seconds(4), .seconds(8), .seconds(15), .seconds(15), .seconds(15)])
        XCTAssertEqual(penalty.delay(for: "192.0.2.8", now: start), .zero, "another address pays nothing")
    }

    func testSuccessAndTimeForgive() {
        var penalty = AuthPenalty()
        penalty.failed("192.0.2.7", now: start)
        penalty.failed("192.0.2.7", now: start)
        penalty.succeeded("192.0.2.7")
        XCTAssertEqual(penalty.delay(for: "192.0.2.7", now: start), .zero)
        penalty.failed("192.0.2.7", now: start)
        XCTAssertEqual(penalty.delay(for: "192.0.2.7", now: start + .seconds(28)), .seconds(2))
        XCTAssertEqual(penalty.delay(for: "192.0.2.7", now: start + .seconds(29)), .zero)
        penalty.failed("192.0.2.7", now: start + .seconds(40))
        XCTAssertEqual(penalty.delay(for: "192.0.2.7", now: start + .seconds(40)), .seconds(2), "starts afresh")
    }

    /// One IPv6 host owns a /64 or more: walking it must not reset the penalty.
    func testIPv6CountsPer48() {
        var penalty = AuthPenalty()
        penalty.failed("2001:db8:1:2::1", now: start)
        penalty.failed("2001:db8:1:ffff::9", now: start)
        XCTAssertEqual(penalty.delay(for: "2001:db8:1:abcd::5", now: start), .seconds(4))
        XCTAssertEqual(penalty.delay(for: "2001:db8:2::1", now: start), .zero)
    }

    /// A spray of addresses cannot grow the table without bound.
    func testMemoryIsBounded() {
        var penalty = AuthPenalty(capacity: 100)
        let end = start + .milliseconds(999)
        for i in 0..<1_000 { penalty.failed("10.0.\(i / 256).\(i % 256)", now: start + .milliseconds(i)) }
        XCTAssertEqual(penalty.delay(for: "10.0.3.231", now: end), .seconds(2), "the newest is kept")
        XCTAssertEqual(penalty.delay(for: "10.0.0.0", now: end), .zero, "the oldest went")
    }
}
