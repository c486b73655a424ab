import Foundation
import MoatCore
@testable import Queue
import XCTest

/// The scheduler with real files, real tasks and a scripted deliverer.
final class SchedulerTests: XCTestCase {
    private func start(_ scheduler: QueueScheduler) -> Task<Void, any Error> {
        Task { try await scheduler.run() }
    }

    /// A scheduler whose `later@` recipient fails once and then succeeds, with a backoff
    /// so long that only a flush brings the message back within a test.
    private func deferringScheduler(_ spool: Spool) -> (QueueScheduler, ScriptedDeliverer) {
        let deliverer = ScriptedDeliverer(script: [
            "later@example.net": [.temporaryFailure(status: "4.4.1", text: "connection refused"), .delivered],
        ])
        return (QueueScheduler(spool: spool, deliverer: deliverer,
                               configuration: fastConfiguration(minimal: 3600, maximal: 3600)), deliverer)
    }

    func testTemporaryFailuresAreRetriedWithBackoffPerRecipient() async throws {
        let spool = try makeSpool(self)
        let deliverer = ScriptedDeliverer(script: [
            "slow@example.net": [.temporaryFailure(status: "4.2.0", text: "451 4.2.0 busy"),
                                 .temporaryFailure(status: "4.2.0", text: "451 4.2.0 busy"), .delivered],
        ])
        let scheduler = QueueScheduler(spool: spool, deliverer: deliverer,
                                       configuration: fastConfiguration(minimal: 0.1, maximal: 0.15))
        let task = start(scheduler)
        defer { task.cancel() }
        let id = try await scheduler.enqueue(
            Envelope(sender: address("alice@example.org"), recipients: [address("fast@example.net"), address("slow@example.net")]),
            message: sampleMessage())

        // After the first attempt: fast delivered, slow deferred with its status recorded.
        try await waitUntil { try spool.entry(id)?.envelope.attempts == 1 }
        let first = try XCTUnwrap(try spool.entry(id)).envelope
        XCTAssertEqual(first.recipients.map(\.state), [.delivered, .pending])
        XCTAssertEqual(first.recipients[1].status, "4.2.0")
        XCTAssertEqual(first.recipients[1].text, "451 4.2.0 busy")
        XCTAssertGreaterThan(first.nextAttempt, try XCTUnwrap(first.recipients[1].lastAttempt))

        try await waitUntil { try spool.entry(id) == nil }
        let calls = deliverer.calls.filter { $0.id == id }
        XCTAssertEqual(calls.map { $0.recipients.map(\.description) },
                       [["fast@example.net", "slow@example.net"], ["slow@example.net"], ["slow@example.net"]],
                       "a delivered recipient is never tried again")
        // Backoff: 0.1 s after the first attempt, then doubled and capped at 0.15 s.
        XCTAssertGreaterThanOrEqual(calls[1].time - calls[0].time, 0.1)
        XCTAssertGreaterThanOrEqual(calls[2].time - calls[1].time, 0.15)
        XCTAssertEqual(calls[0].sender, address("alice@example.org"))
        XCTAssertEqual(calls[0].bytes, sampleMessage())
    }

    func testFiveHundredConcurrentEnqueuesAreEachDeliveredExactlyOnce() async throws {
        let spool = try makeSpool(self)
        let deliverer = ScriptedDeliverer(delay: .milliseconds(2))
        let scheduler = QueueScheduler(spool: spool, deliverer: deliverer, configuration: fastConfiguration(concurrency: 8))
        let task = start(scheduler)
        defer { task.cancel() }
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for n in 0..<500 {
                group.addTask {
                    try await scheduler.enqueue(Envelope(sender: address("s\(n)@example.org"),
                                                         recipients: [address("r\(n)@example.net")]),
                                                message: sampleMessage("n\(n)"))
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(Set(ids).count, 500)
        try await waitUntil(timeout: 60) { try spool.ids(in: .active).isEmpty }
        try await Task.sleep(for: .milliseconds(200))
        let calls = deliverer.calls
        XCTAssertEqual(calls.count, 500)
        XCTAssertEqual(Set(calls.map(\.id)), Set(ids))
        XCTAssertLessThanOrEqual(deliverer.peakConcurrency, 8, "max_concurrent_deliveries holds")
        XCTAssertEqual(try DurableFile.entries(of: "\(spool.directory)/messages"), [])
    }

    func testHoldReleaseDeleteAndFlushOnARunningScheduler() async throws {
        let spool = try makeSpool(self)
        let (scheduler, deliverer) = deferringScheduler(spool)
        let task = start(scheduler)
        defer { task.cancel() }
        let sender = address("alice@example.org")

        let deferred = try await scheduler.enqueue(Envelope(sender: sender, recipients: [address("later@example.net")]),
                                                   message: sampleMessage())
        try await waitUntil { try spool.entry(deferred)?.envelope.attempts == 1 }
        try await scheduler.flush()
        try await waitUntil(timeout: 2) { try spool.entry(deferred) == nil }


        // Held: not delivered while held, delivered soon after release.
        let heldID = try spool.enqueue(Envelope(sender: sender, recipients: [address("held@example.net")]),
                                       message: sampleMessage())
        try await scheduler.hold(heldID)
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertFalse(deliverer.calls.contains { $0.id == heldID })
        try await scheduler.release(heldID)
        try await waitUntil(timeout: 2) { try spool.entry(heldID) == nil }

        // Deleted before its time: never delivered.
        let doomed = try spool.enqueue(Envelope(sender: sender, recipients: [address("x@example.net")]),
                                       message: sampleMessage())
        try spool.hold(doomed)
        let deleted = try await scheduler.delete(doomed)
        XCTAssertTrue(deleted)
        XCTAssertNil(try spool.entry(doomed))
        XCTAssertFalse(deliverer.calls.contains { $0.id == doomed })
    }

    /// `moat queue flush|release` in another process change only the spool; the running
    /// scheduler notices through the wake-up file within its poll interval.
    func testChangesByAnotherProcessAreNoticedThroughTheWakeupFile() async throws {
        let spool = try makeSpool(self)
        let (scheduler, deliverer) = deferringScheduler(spool)
        let task = start(scheduler)
        defer { task.cancel() }
        let other = Spool(directory: spool.directory)  // what the CLI opens
        let id = try other.enqueue(Envelope(sender: address("a@example.org"), recipients: [address("later@example.net")]),
                                   message: sampleMessage())
        try other.wake()
        try await waitUntil(timeout: 3) { try spool.entry(id)?.envelope.attempts == 1 }
        try other.flush()
        try await waitUntil(timeout: 3) { try spool.entry(id) == nil }

        let held = try other.enqueue(Envelope(sender: address("a@example.org"), recipients: [address("h@example.net")]),
                                     message: sampleMessage())
        try other.hold(held)
        try await Task.sleep(for: .milliseconds(300))
        try other.release(held)
        try await waitUntil(timeout: 3) { try spool.entry(held) == nil }
        XCTAssertEqual(deliverer.calls.filter { $0.id == held }.count, 1)
    }

    /// Idle, the loop wakes once per wake-up-file poll (0.1 s here). A cancelled poll timer
    /// that signalled anyway used to end every next wait at once: a core busy for good.
    func testAnIdleSchedulerSleepsBetweenPolls() async throws {
        let spool = try makeSpool(self)
        let scheduler = QueueScheduler(spool: spool, deliverer: ScriptedDeliverer(), configuration: fastConfiguration())
        let task = start(scheduler)
        defer { task.cancel() }
        _ = try await scheduler.enqueue(Envelope(sender: address("a@example.org"), recipients: [address("b@example.net")]),
                                        message: sampleMessage())
        try await waitUntil { try spool.ids(in: .active).isEmpty }
        let before = await scheduler.passes
        try await Task.sleep(for: .seconds(1))
        let passes = await scheduler.passes - before
        XCTAssertLessThanOrEqual(passes, 30, "about 10 polls in a second, not a busy loop")
    }

    func testCancelledSchedulerStopsAndARestartContinues() async throws {
        let spool = try makeSpool(self)
        let deliverer = ScriptedDeliverer(script: [
            "b@example.net": [.temporaryFailure(status: "4.4.1", text: "no route"), .delivered],
        ])
        let configuration = fastConfiguration(minimal: 0.3, maximal: 0.3)
        let first = QueueScheduler(spool: spool, deliverer: deliverer, configuration: configuration)
        let task = start(first)
        let id = try await first.enqueue(Envelope(sender: address("a@example.org"), recipients: [address("b@example.net")]),
                                         message: sampleMessage())
        try await waitUntil { try spool.entry(id)?.envelope.attempts == 1 }
        task.cancel()
        _ = await task.result
        XCTAssertEqual(try spool.entry(id)?.envelope.recipients[0].state, .pending)

        let second = QueueScheduler(spool: spool, deliverer: deliverer, configuration: configuration)
        let again = start(second)
        defer { again.cancel() }
        try await waitUntil { try spool.entry(id) == nil }
        XCTAssertEqual(deliverer.calls.count, 2)
    }
}
