import MoatCore
import XCTest
@testable import Filter

/// ContentCheckSlots: never more checks at once than slots, every waiter served, and a
/// waiter cancelled in line gives its turn back without running.
final class ContentCheckSlotsTests: XCTestCase {
    func testNoMoreThanCountRunAtOnceAndAllRun() async throws {
        let slots = ContentCheckSlots(count: 2)
        let running = Locked((now: 0, most: 0, done: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await slots.run {
                        running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        try await Task.sleep(for: .milliseconds(5))
                        running.withLock { $0.now -= 1; $0.done += 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        let figures = running.withLock { $0 }
        XCTAssertEqual(figures.most, 2)
        XCTAssertEqual(figures.done, 20)
    }

    func testACancelledWaiterDoesNotRunAndTheNextOneDoes() async throws {
        let slots = ContentCheckSlots(count: 1)
        let ran = Locked<[String]>([])
        let (gate, open) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await slots.run {
                for await _ in gate { break }
                ran.withLock { $0.append("holder") }
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        let cancelled = Task { try await slots.run { ran.withLock { $0.append("cancelled") } } }
        try await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        open.yield()
        try await holder.value
        do {
            try await cancelled.value
            XCTFail("a check cancelled while waiting must not run")
        } catch is CancellationError {}
        try await slots.run { ran.withLock { $0.append("next") } }
        XCTAssertEqual(ran.withLock { $0 }, ["holder", "next"])
    }
}
