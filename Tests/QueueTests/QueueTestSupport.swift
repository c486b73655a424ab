import Foundation
import MoatCore
@testable import Queue
import XCTest

/// A fresh spool under a temporary directory, removed when the test ends.
func makeSpool(_ test: XCTestCase) throws -> Spool {
    let root = NSTemporaryDirectory() + "moat-queue-\(UUID().uuidString)"
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
    let spool = Spool(directory: root + "/queue")
    try spool.prepare()
    return spool
}

func address(_ text: String) -> EmailAddress { EmailAddress(parsing: text)! }

func sampleMessage(_ subject: String = "hello") -> [UInt8] {
    Array("From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: \(subject)\r\nMessage-ID: <m1@example.org>\r\n\r\nBody line\r\n".utf8)
}

/// The deliverer seam: records every call and answers from a script, per recipient
/// address, one outcome per attempt (the last one repeats).
final class ScriptedDeliverer: QueueDeliverer, @unchecked Sendable {
    // @unchecked: all state is behind `state`'s lock.
    struct Call: Sendable {
        var id: String
        var sender: EmailAddress
        var recipients: [EmailAddress]
        var bytes: [UInt8]
        var time: Double
    }

    private let state = Locked((script: [String: [DeliveryOutcome]](), calls: [Call](), active: 0, peak: 0))
    private let delay: Duration

    init(script: [String: [DeliveryOutcome]] = [:], delay: Duration = .zero) {
        state.withLock { $0.script = script }
        self.delay = delay
    }

    var calls: [Call] { state.withLock { $0.calls } }
    var peakConcurrency: Int { state.withLock { $0.peak } }

    func deliver(_ message: QueuedMessage, to recipients: [EmailAddress]) async -> [DeliveryOutcome] {
        state.withLock {
            $0.calls.append(Call(id: message.id, sender: message.sender, recipients: recipients, bytes: message.bytes,
                                 time: DurableFile.currentTime()))
            $0.active += 1
            $0.peak = max($0.peak, $0.active)
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
        return state.withLock { s in
            s.active -= 1
            return recipients.map { rcpt in
                guard var outcomes = s.script[rcpt.description], !outcomes.isEmpty else { return .delivered }
                let next = outcomes.removeFirst()
                if outcomes.isEmpty { outcomes = [next] }
                s.script[rcpt.description] = outcomes
                return next
            }
        }
    }
}

/// A condition that did not come true in time.
struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Polls `condition` every 10 ms until it holds; throws `TimedOut` after `timeout` seconds.
func waitUntil(timeout: Double = 10, _ what: String = "condition", file: StaticString = #filePath, line: UInt = #line,
               _ condition: () throws -> Bool) async throws {
    let deadline = DurableFile.currentTime() + timeout
    while DurableFile.currentTime() < deadline {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    if try condition() { return }
    throw TimedOut(description: "\(what) not met within \(timeout)s at \(file):\(line)")
}

/// Tiny backoffs so retries happen within a test.
func fastConfiguration(lifetime: Double = 60, minimal: Double = 0.05, maximal: Double = 0.2,
                       bounces: BounceSettings? = BounceSettings(reportingMTA: "mx.example.com",
                                                                 from: EmailAddress(parsing: "postmaster@mx.example.com")!),
                       concurrency: Int = 20) -> QueueScheduler.Configuration {
    QueueScheduler.Configuration(schedule: RetrySchedule(minimalBackoff: minimal, maximalBackoff: maximal, maxLifetime: lifetime),
                                 queueRunDelay: 300, maxConcurrentDeliveries: concurrency, wakeupPollInterval: 0.1,
                                 orphanAge: 600, bounces: bounces)
}
