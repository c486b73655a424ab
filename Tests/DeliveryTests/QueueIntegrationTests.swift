import Delivery
import Directory
import Foundation
import Logging
import MoatCore
import Queue
import XCTest

/// The real queue scheduler driving `MailDeliverer`: spool → Maildir and SMTP sink, and the
/// bounce for an unknown user delivered back into the local sender's Maildir.
final class QueueIntegrationTests: DeliveryTestCase {
    func testQueuedMessageIsDeliveredAndTheUnknownUserBouncedToTheLocalSender() async throws {
        try addExampleDomain()
        let sink = try await SMTPSink()
        let spool = Spool(directory: storage.queueDirectory)
        let scheduler = QueueScheduler(
            spool: spool, deliverer: try deliverer(settings(smtpPort: sink.port)),
            configuration: .init(schedule: RetrySchedule(minimalBackoff: 300, maximalBackoff: 600, maxLifetime: 3600),
                                 wakeupPollInterval: 0.05,
                                 bounces: BounceSettings(reportingMTA: "moat.moattest",
                                                         from: address("postmaster@moat.moattest"))),
            logger: Logger(label: "moat.queue.test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let run = Task { try await scheduler.run() }
        defer { run.cancel() }

        let envelope = Envelope(sender: address("bob@example.com"),
                                recipients: [address("alice@example.com"), address("nobody@example.com"),
                                             address("carol@remote.moattest")])
        _ = try await scheduler.enqueue(envelope, message: Self.body)

        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, try spool.entries().count > 0 || (try stored("bob@example.com")).isEmpty {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertEqual(try spool.entries().map(\.envelope.id), [], "the message and its bounce have left the queue")
        XCTAssertEqual(try stored("alice@example.com").count, 1)
        XCTAssertEqual(sink.sessions.first?.recipients, ["<carol@remote.moattest>"])
        let bounces = try stored("bob@example.com")
        XCTAssertEqual(bounces.count, 1)
        let bounce = bounces.first ?? ""
        XCTAssertTrue(bounce.hasPrefix("Return-Path: <>\nDelivered-To: bob@example.com\n"), bounce)
        XCTAssertTrue(bounce.contains("Final-Recipient: rfc822; nobody@example.com"), bounce)
        XCTAssertTrue(bounce.contains("Status: 5.1.1"), bounce)
        XCTAssertTrue(bounce.contains("unknown user: \"nobody@example.com\""), bounce)
        XCTAssertFalse(bounce.contains("Final-Recipient: rfc822; alice@example.com"), "only the failure is reported")
    }
}
