import Foundation
import MoatCore
@testable import Queue
import XCTest

/// A crash can stop the process between any two system calls. Each test leaves the
/// spool in one such intermediate state by hand and restarts: nothing acknowledged is
/// lost, nothing half-written is delivered.
final class RecoveryTests: XCTestCase {
    private func envelope() -> Envelope {
        Envelope(sender: address("alice@example.org"), recipients: [address("bob@example.net")])
    }

    /// Crash while writing the message: only a temporary file exists; no 250 was given.
    func testTemporaryFilesOfAnInterruptedEnqueueAreRemoved() throws {
        let spool = try makeSpool(self)
        try DurableFile.create("\(spool.directory)/incoming/X.msg", temporaryPath: "\(spool.directory)/incoming/X.tmp",
                               chunks: [sampleMessage()])
        let report = try spool.recover(orphanAge: 0)
        XCTAssertEqual(report.removedTemporaryFiles, 1)
        XCTAssertEqual(report.queued, 0)
        XCTAssertEqual(try DurableFile.entries(of: "\(spool.directory)/incoming"), [])
    }

    /// Crash after the message was linked into messages/ but before its envelope was:
    /// not acknowledged, so the orphan goes; a young one is kept (a writer may be busy).
    func testMessageWithoutEnvelopeIsAnOrphan() throws {
        let spool = try makeSpool(self)
        let id = try spool.enqueue(envelope(), message: sampleMessage())
        try DurableFile.remove("\(spool.directory)/active/\(id).env")
        XCTAssertEqual(try spool.recover(orphanAge: 600).removedOrphanMessages, 0)
        XCTAssertEqual(try spool.recover(orphanAge: 0).removedOrphanMessages, 1)
        XCTAssertNil(try DurableFile.status(of: "\(spool.directory)/messages/\(id).msg"))
    }

    /// Crash after every recipient was recorded done but before the dequeue.
    func testFinishedEnvelopeIsRemovedWithoutDelivery() throws {
        let spool = try makeSpool(self)
        let id = try spool.enqueue(envelope(), message: sampleMessage())
        var record = try XCTUnwrap(try spool.entry(id)).envelope
        record.recipients[0].state = .delivered
        try spool.update(record)
        let deliverer = ScriptedDeliverer()
        let report = try spool.recover(orphanAge: 0)
        XCTAssertEqual(report.removedFinished, 1)
        XCTAssertNil(try spool.entry(id))
        XCTAssertTrue(deliverer.calls.isEmpty)
    }

    /// Crash between removing the envelope and the message file (the dequeue order):
    /// the message is an orphan and nothing is delivered twice.
    func testDequeueInterruptedAfterEnvelopeRemoval() throws {
        let spool = try makeSpool(self)
        let id = try spool.enqueue(envelope(), message: sampleMessage())
        try DurableFile.remove("\(spool.directory)/active/\(id).env")
        let report = try spool.recover(orphanAge: 0)
        XCTAssertEqual(report.queued, 0)
        XCTAssertEqual(report.removedOrphanMessages, 1)
    }

    /// Crash during an envelope rewrite, before the rename: the old envelope stands and
    /// the new one is a temporary file.
    func testInterruptedEnvelopeRewriteKeepsTheOldState() throws {
        let spool = try makeSpool(self)
        let id = try spool.enqueue(envelope(), message: sampleMessage())
        try DurableFile.create("\(spool.directory)/incoming/\(id).env.PARTIAL",
                               temporaryPath: "\(spool.directory)/incoming/t", chunks: [Array("{\"half\":".utf8)])
        let report = try spool.recover(orphanAge: 0)
        XCTAssertEqual(report.queued, 1)
        XCTAssertEqual(report.removedTemporaryFiles, 1)
        XCTAssertEqual(try XCTUnwrap(try spool.entry(id)).envelope.recipients[0].state, .pending)
    }

    /// An envelope whose message vanished (tampering; never a crash, by the write order)
    /// is set aside instead of failing every run.
    func testEnvelopeWithoutMessageIsSetAside() throws {
        let spool = try makeSpool(self)
        let id = try spool.enqueue(envelope(), message: sampleMessage())
        try DurableFile.remove("\(spool.directory)/messages/\(id).msg")
        let report = try spool.recover(orphanAge: 0)
        XCTAssertEqual(report.corrupt, [id])
        XCTAssertNotNil(try DurableFile.status(of: "\(spool.directory)/corrupt/\(id).env"))
    }

    /// The restart itself: a scheduler started on a spool of leftovers delivers every
    /// queued message once (held ones stay), and drops the rest.
    func testRestartDeliversEverythingStillQueued() async throws {
        let spool = try makeSpool(self)
        var queued: [String] = []
        for n in 0..<5 { queued.append(try spool.enqueue(envelope(), message: sampleMessage("m\(n)"))) }
        // One deferred far into the future by a previous run: a restart does not hurry it.
        var deferred = try XCTUnwrap(try spool.entry(queued[4])).envelope
        deferred.nextAttempt = DurableFile.currentTime() + 3600
        deferred.attempts = 2
        try spool.update(deferred)
        let held = try spool.enqueue(envelope(), message: sampleMessage("held"))
        try spool.hold(held)
        let orphan = try spool.enqueue(envelope(), message: sampleMessage("orphan"))
        try DurableFile.remove("\(spool.directory)/active/\(orphan).env")

        let deliverer = ScriptedDeliverer()
        var configuration = fastConfiguration()
        configuration.orphanAge = 0
        let scheduler = QueueScheduler(spool: spool, deliverer: deliverer, configuration: configuration)
        let task = Task { try await scheduler.run() }
        try await waitUntil { try spool.ids(in: .active) == [queued[4]] }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        _ = await task.result

        XCTAssertEqual(Set(deliverer.calls.map(\.id)), Set(queued.prefix(4)))
        XCTAssertEqual(deliverer.calls.count, 4)
        XCTAssertEqual(try spool.ids(in: .hold), [held])
        XCTAssertNil(try DurableFile.status(of: "\(spool.directory)/messages/\(orphan).msg"))
    }
}
