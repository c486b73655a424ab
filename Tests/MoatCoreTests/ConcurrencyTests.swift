import Dispatch
import XCTest
@testable import MoatCore

final class ConcurrencyTests: XCTestCase {
    struct Boom: Error {}

    func testDeadlineReturnsTheValueOrNilAndCancelsLateWork() async throws {
        let value = try await withDeadline(.seconds(5)) { 42 }
        XCTAssertEqual(value, 42)

        let sawCancellation = Locked(false)
        let started = ContinuousClock.now
        let late: Int? = try await withDeadline(.milliseconds(100)) {
            do {
                try await Task.sleep(for: .seconds(10))
            } catch {
                sawCancellation.withLock { $0 = true }
            }
            return 1
        }
        XCTAssertNil(late)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        for _ in 0..<100 where !sawCancellation.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertTrue(sawCancellation.withLock { $0 }, "the late work was cancelled")

        do {
            _ = try await withDeadline(.seconds(5)) { () async throws -> Int in throw Boom() }
            XCTFail("the error should come through")
        } catch is Boom {}
    }

    func testDeadlineHoldsForWorkThatIgnoresCancellation() async throws {
        let started = ContinuousClock.now
        let result: Int? = try await withDeadline(.milliseconds(100)) {
            // Deaf to cancellation, as a scan already running on a pool thread: a wait
            // that cancellation cannot cut short and that holds no cooperative thread.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + 2) { done.resume() }
            }
            return 1
        }
        XCTAssertNil(result)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1))
    }

    func testPoolSkipsJobsCancelledBeforeTheyStart() async throws {
        let pool = BlockingWorkPool(name: "test", threads: 1)
        defer { pool.shutdown() }
        let ran = Locked(0)
        let blocker = Task { try await pool.run { usleep(300_000); return 0 } }
        try await Task.sleep(for: .milliseconds(50)) // the only thread is now busy
        let queued = Task { try await pool.run { ran.withLock { $0 += 1 }; return 1 } }
        try await Task.sleep(for: .milliseconds(50))
        queued.cancel()
        do {
            _ = try await queued.value
            XCTFail("a job cancelled while queued must not run")
        } catch is CancellationError {}
        _ = try await blocker.value
        let after = try await pool.run { 7 }
        XCTAssertEqual(after, 7)
        XCTAssertEqual(ran.withLock { $0 }, 0)
    }
}
