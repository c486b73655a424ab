import Foundation
import MoatCore
@testable import Queue
import XCTest

/// The spool on a real file system: what enqueue leaves on disk, envelope rewrites and
/// the administrative moves.
final class SpoolTests: XCTestCase {
    func testEnqueueLeavesMessageAndEnvelopeUnderFinalNamesOnly() throws {
        let spool = try makeSpool(self)
        let envelope = Envelope(sender: address("alice@example.org"),
                                recipients: [address("bob@example.net"), address("carol@example.net")],
                                client: ClientIdentity(address: "192.0.2.7", helo: "client.example.org"))
        let id = try spool.enqueue(envelope, message: sampleMessage(), envelopeID: "ENV1", now: 1_800_000_000)

        XCTAssertTrue(QueueID.isWellFormed(id))
        XCTAssertEqual(try DurableFile.contents(of: "\(spool.directory)/messages/\(id).msg"), sampleMessage())
        XCTAssertNotNil(try DurableFile.status(of: "\(spool.directory)/active/\(id).env"))
        // Nothing half-written is left where a crash could leave it.
        XCTAssertEqual(try DurableFile.entries(of: "\(spool.directory)/incoming"), [])

        let entry = try XCTUnwrap(try spool.entry(id))
        XCTAssertEqual(entry.location, .active)
        XCTAssertEqual(entry.messageSize, Int64(sampleMessage().count))
        XCTAssertEqual(entry.envelope.sender, "alice@example.org")
        XCTAssertEqual(entry.envelope.recipients.map(\.address), ["bob@example.net", "carol@example.net"])
        XCTAssertEqual(entry.envelope.recipients.map(\.state), [.pending, .pending])
        XCTAssertEqual(entry.envelope.arrival, 1_800_000_000)
        XCTAssertEqual(entry.envelope.nextAttempt, 1_800_000_000)
        XCTAssertEqual(entry.envelope.attempts, 0)
        XCTAssertEqual(entry.envelope.envelopeID, "ENV1")
        XCTAssertEqual(entry.envelope.clientAddress, "192.0.2.7")
    }

    func testQueueIDsAreUniqueShortAndSafeAsArguments() {
        var seen = Set<String>()
        for n in 0..<10_000 {
            let id = QueueID.generate(time: 1_800_000_000.5 + Double(n) / 1_000_000)
            XCTAssertTrue(QueueID.isWellFormed(id))
            XCTAssertLessThanOrEqual(id.count, 16)
            XCTAssertFalse(id.hasPrefix("-"))
            seen.insert(id)
        }
        XCTAssertEqual(seen.count, 10_000, "distinct microseconds give distinct IDs")
        // Within one microsecond only the 5 random characters differ (36^5 = 60 million):
        // 1000 draws collide with probability 0.8%, and the spool retries on a collision.
        let sameInstant = Set((0..<1000).map { _ in QueueID.generate(time: 1_800_000_000.5) })
        XCTAssertGreaterThanOrEqual(sameInstant.count, 998)
        XCTAssertLessThan(QueueID.generate(time: 1_800_000_000), QueueID.generate(time: 1_800_000_001))
        XCTAssertFalse(QueueID.isWellFormed("../../etc/passwd"))
        XCTAssertFalse(QueueID.isWellFormed("-rf"))
    }

    func testNullSenderRoundTrips() throws {
        let spool = try makeSpool(self)
        let id = try spool.enqueue(Envelope(sender: .null, recipients: [address("bob@example.net")]), message: sampleMessage())
        let envelope = try XCTUnwrap(try spool.entry(id)).envelope
        XCTAssertEqual(envelope.sender, "")
        XCTAssertTrue(envelope.senderAddress.isNull)
    }

    func testUpdateReplacesEnvelopeAtomicallyAndFollowsAHeldMessage() throws {
        let spool = try makeSpool(self)
        let id = try spool.enqueue(Envelope(sender: address("a@example.org"), recipients: [address("b@example.net")]),
                                   message: sampleMessage())
        var envelope = try XCTUnwrap(try spool.entry(id)).envelope
        envelope.attempts = 3
        envelope.recipients[0].text = "451 try later"
        try spool.hold(id)
        XCTAssertTrue(try spool.update(envelope))
        let after = try XCTUnwrap(try spool.entry(id))
        XCTAssertEqual(after.location, .hold)
        XCTAssertEqual(after.envelope.attempts, 3)
        XCTAssertEqual(try DurableFile.entries(of: "\(spool.directory)/incoming"), [])
        XCTAssertEqual(try spool.ids(in: .active), [])

        XCTAssertTrue(try spool.remove(id))
        XCTAssertFalse(try spool.update(envelope), "a deleted message is not resurrected by a late update")
        XCTAssertNil(try spool.entry(id))
    }

    func testRemoveTakesEnvelopeAndMessage() throws {
        let spool = try makeSpool(self)
        let id = try spool.enqueue(Envelope(sender: address("a@example.org"), recipients: [address("b@example.net")]),
                                   message: sampleMessage())
        XCTAssertTrue(try spool.remove(id))
        XCTAssertNil(try DurableFile.status(of: "\(spool.directory)/messages/\(id).msg"))
        XCTAssertNil(try DurableFile.status(of: "\(spool.directory)/active/\(id).env"))
        XCTAssertFalse(try spool.remove(id))
        XCTAssertThrowsError(try spool.message(id)) { XCTAssertEqual($0 as? QueueError, .notFound(id: id)) }
    }

    func testHoldReleaseAndTheirErrors() throws {
        let spool = try makeSpool(self)
        let id = try spool.enqueue(Envelope(sender: address("a@example.org"), recipients: [address("b@example.net")]),
                                   message: sampleMessage())
        try spool.hold(id)
        XCTAssertEqual(try spool.ids(in: .hold), [id])
        XCTAssertThrowsError(try spool.hold(id)) { XCTAssertEqual($0 as? QueueError, .wrongState(id: id, expected: "active")) }
        try spool.release(id)
        XCTAssertEqual(try spool.ids(in: .active), [id])
        XCTAssertThrowsError(try spool.release(id)) { XCTAssertEqual($0 as? QueueError, .wrongState(id: id, expected: "held")) }
        XCTAssertThrowsError(try spool.hold("NOSUCHID1")) { XCTAssertEqual($0 as? QueueError, .notFound(id: "NOSUCHID1")) }
        XCTAssertThrowsError(try spool.hold("../x")) { XCTAssertEqual($0 as? QueueError, .malformedID("../x")) }
    }

    func testFlushMakesDeferredMessagesDueAndWakesTheScheduler() throws {
        let spool = try makeSpool(self)
        let id = try spool.enqueue(Envelope(sender: address("a@example.org"), recipients: [address("b@example.net")]),
                                   message: sampleMessage())
        var envelope = try XCTUnwrap(try spool.entry(id)).envelope
        envelope.nextAttempt = DurableFile.currentTime() + 3600
        try spool.update(envelope)
        XCTAssertNil(spool.wakeupStamp())
        XCTAssertEqual(try spool.flush(), 1)
        XCTAssertLessThanOrEqual(try XCTUnwrap(try spool.entry(id)).envelope.nextAttempt, DurableFile.currentTime())
        XCTAssertNotNil(spool.wakeupStamp())
        XCTAssertEqual(try spool.flush(), 0, "nothing left to flush")
    }

    func testEnvelopeFileIsReadableJSON() throws {
        let spool = try makeSpool(self)
        let id = try spool.enqueue(Envelope(sender: address("a@example.org"), recipients: [address("b@example.net")]),
                                   message: sampleMessage())
        let text = String(decoding: try DurableFile.contents(of: "\(spool.directory)/active/\(id).env"), as: UTF8.self)
        XCTAssertTrue(text.contains("\"state\" : \"pending\""), text)
        XCTAssertTrue(text.contains("\"version\" : 1"), text)
    }

    func testCorruptEnvelopeIsATypedError() throws {
        let spool = try makeSpool(self)
        let id = try spool.enqueue(Envelope(sender: address("a@example.org"), recipients: [address("b@example.net")]),
                                   message: sampleMessage())
        let path = "\(spool.directory)/active/\(id).env"
        try DurableFile.create(path, temporaryPath: path + ".t", chunks: [Array("{\"id\":".utf8)], publish: .replace)
        XCTAssertThrowsError(try spool.entry(id)) { error in
            guard case .corruptEnvelope(let where_, _)? = error as? QueueError else { return XCTFail("\(error)") }
            XCTAssertEqual(where_, path)
        }
    }

    func testRetryScheduleDoublesUpToTheMaximumAndStopsAtExpiry() {
        let schedule = RetrySchedule(minimalBackoff: 300, maximalBackoff: 4000, maxLifetime: 5 * 86_400)
        XCTAssertEqual((1...6).map { schedule.backoff(afterAttempts: $0) }, [300, 600, 1200, 2400, 4000, 4000])
        XCTAssertEqual(schedule.nextAttempt(arrival: 0, attempts: 1, now: 100), 400)
        XCTAssertEqual(schedule.nextAttempt(arrival: 0, attempts: 9, now: 5 * 86_400 - 10), 5 * 86_400)
        XCTAssertFalse(schedule.isExpired(arrival: 0, now: 5 * 86_400 - 1))
        XCTAssertTrue(schedule.isExpired(arrival: 0, now: 5 * 86_400))
    }
}
