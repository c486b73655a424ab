import NIOCore
import XCTest
@testable import SMTP

/// SessionTimeouts: the deadline as a function of a session's timing, without sockets.
final class ServerSessionTimeoutsTests: XCTestCase {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    private func at(_ seconds: Double) -> NIODeadline { start + .nanoseconds(Int64(seconds * 1e9)) }

    private let timeouts = SessionTimeouts(idle: .seconds(10), stressIdle: .seconds(2), minDataRate: 500,
                                           sessionLimit: .seconds(3600))

    func testIdleDeadlineRunsFromTheLastRead() {
        var timing = SessionTiming(started: start)
        timing.lastRead = at(7)
        let deadline = timeouts.deadline(timing, stressed: false)
        XCTAssertEqual(deadline.at, at(17))
        XCTAssertEqual(deadline.reason, .idle)
    }

    /// Under stress a command must arrive whole within the stress timeout: a client that
    /// trickles one byte a second into a line it never finishes keeps no slot.
    func testUnderStressTheDeadlineRunsFromTheLastRequestNotTheLastRead() {
        var timing = SessionTiming(started: start)
        timing.awaitingSince = at(5)
        timing.lastRead = at(6.5)  // "N", "O", "O"… one byte at a time, never the line end
        XCTAssertEqual(timeouts.deadline(timing, stressed: true).at, at(7))
        XCTAssertEqual(timeouts.deadline(timing, stressed: false).at, at(16.5))
    }

    /// 1 byte per second in DATA with `idle_timeout = 10s`: each byte resets the per-read
    /// timer, so before the data rate the message took as long as the client liked (the
    /// filed case: done after 45 s). Now it is cut at 10 s + bytes/500.
    func testOneBytePerSecondDataIsCutAtTheComputedDeadline() {
        var timing = SessionTiming(started: start)
        timing.dataStarted = at(1)
        var cutAt: Int?
        for second in 2...60 {
            timing.lastRead = at(Double(second))
            timing.dataBytes = second - 1
            let deadline = timeouts.deadline(timing, stressed: false)
            if deadline.at <= at(Double(second) + 1) {  // no further byte arrives in time
                XCTAssertEqual(deadline.reason, .slowData)
                XCTAssertEqual(deadline.at, at(1 + 10 + Double(second - 1) / 500))
                cutAt = second
                break
            }
        }
        XCTAssertEqual(cutAt, 11, "the byte at 11 s is the last: the deadline, 11.02 s, passes before the next")
    }

    func testDataAtAnHonestRateIsNotCut() {
        var timing = SessionTiming(started: start)
        timing.dataStarted = at(1)
        // 10 MB at 100 kB/s: 100 s, far past the idle timeout, well inside the data deadline.
        for second in 2...101 {
            timing.lastRead = at(Double(second))
            timing.dataBytes = (second - 1) * 100_000
            let deadline = timeouts.deadline(timing, stressed: false)
            XCTAssertEqual(deadline.reason, .idle)
            XCTAssertEqual(deadline.at, at(Double(second) + 10))
        }
    }

    func testNoMinimumDataRateLeavesThePerReadTimeout() {
        var timeouts = self.timeouts
        timeouts.minDataRate = 0
        var timing = SessionTiming(started: start)
        timing.dataStarted = at(1)
        timing.lastRead = at(45)
        timing.dataBytes = 44
        XCTAssertEqual(timeouts.deadline(timing, stressed: false).at, at(55))
    }

    func testSessionLimitCapsEverything() {
        var timing = SessionTiming(started: start)
        timing.lastRead = at(3595)
        timing.awaitingSince = at(3595)
        let deadline = timeouts.deadline(timing, stressed: false)
        XCTAssertEqual(deadline.at, at(3600))
        XCTAssertEqual(deadline.reason, .sessionLimit)
        var unlimited = timeouts
        unlimited.sessionLimit = nil
        XCTAssertEqual(unlimited.deadline(timing, stressed: false).at, at(3605))
    }

    func testHugeDataCountDoesNotOverflow() {
        var timing = SessionTiming(started: start)
        timing.dataStarted = at(1)
        timing.lastRead = at(2)
        timing.dataBytes = Int.max
        XCTAssertEqual(timeouts.deadline(timing, stressed: false).reason, .idle)
    }
}
