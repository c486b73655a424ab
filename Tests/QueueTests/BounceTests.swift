import Foundation
import MIME
import MoatCore
@testable import Queue
import XCTest

/// Bounces: an RFC 3464 report queued to the sender with `<>`, read back with the MIME
/// module; never one for a `<>` sender.
final class BounceTests: XCTestCase {
    /// The scheduler's bounce for `recipients` failing as scripted, from the spool.
    private func bounce(script: [String: [DeliveryOutcome]], sender: EmailAddress, recipients: [String],
                        lifetime: Double = 60, expectBounce: Bool = true) async throws -> (spool: Spool, original: String, deliverer: ScriptedDeliverer) {
        let spool = try makeSpool(self)
        let deliverer = ScriptedDeliverer(script: script)
        let scheduler = QueueScheduler(spool: spool, deliverer: deliverer,
                                       configuration: fastConfiguration(lifetime: lifetime, minimal: 0.05, maximal: 0.05))
        let task = Task { try await scheduler.run() }
        defer { task.cancel() }
        let id = try await scheduler.enqueue(Envelope(sender: sender, recipients: recipients.map(address)),
                                             message: sampleMessage("Quarterly report"), envelopeID: "ENV-42")
        try await waitUntil { try spool.entry(id) == nil }
        if expectBounce { try await waitUntil { deliverer.calls.contains { $0.sender.isNull } } }
        try await Task.sleep(for: .milliseconds(200))
        return (spool, id, deliverer)
    }

    private struct Report {
        var message: MIMEMessage
        var fields: [String: String]
        var recipientBlocks: [[String: String]]
        var returnedHeader: String
    }

    /// Parses a DSN: its parts by content type and the delivery-status fields.
    private func parse(_ bytes: [UInt8]) throws -> Report {
        let message = MIMEMessage.parse(bytes)
        XCTAssertEqual(message.root.contentType.mimeType, "multipart/report")
        XCTAssertEqual(message.root.contentType.parameters["report-type"], "delivery-status")
        XCTAssertEqual(message.leaves.map(\.contentType.mimeType),
                       ["text/plain", "message/delivery-status", "text/rfc822-headers"])
        func body(_ part: MIMEPart) -> String { String(decoding: bytes[part.bodyRange], as: UTF8.self) }
        let status = body(message.leaves[1]).replacingOccurrences(of: "\r\n", with: "\n")
        var blocks = status.components(separatedBy: "\n\n").map { block -> [String: String] in
            var fields: [String: String] = [:]
            // Unfolded first: a long Diagnostic-Code continues on indented lines.
            for line in block.replacingOccurrences(of: "\n ", with: " ").split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return fields
        }.filter { !$0.isEmpty }
        let perMessage = blocks.removeFirst()
        return Report(message: message, fields: perMessage, recipientBlocks: blocks, returnedHeader: body(message.leaves[2]))
    }

    func testPermanentFailureBouncesToTheSenderWithTheOriginalHeaders() async throws {
        let (_, original, deliverer) = try await bounce(
            script: ["gone@example.net": [.permanentFailure(status: "5.1.1", text: "550 5.1.1 User unknown")]],
            sender: address("alice@example.org"), recipients: ["ok@example.net", "gone@example.net"])
        let bounces = deliverer.calls.filter { $0.sender.isNull }
        XCTAssertEqual(bounces.count, 1)
        let dsn = try XCTUnwrap(bounces.first)
        XCTAssertEqual(dsn.recipients, [address("alice@example.org")])

        let report = try parse(dsn.bytes)
        XCTAssertEqual(report.message.header.first("To")?.unfoldedValue, "<alice@example.org>")
        XCTAssertEqual(report.message.header.first("Auto-Submitted")?.unfoldedValue, "auto-replied")
        XCTAssertEqual(report.message.header.first("In-Reply-To")?.unfoldedValue, "<m1@example.org>")
        XCTAssertEqual(report.fields["Reporting-MTA"], "dns; mx.example.com")
        XCTAssertEqual(report.fields["Original-Envelope-Id"], "ENV-42")
        XCTAssertNotNil(report.fields["Arrival-Date"])
        XCTAssertEqual(report.recipientBlocks.count, 1, "only the failed recipient is reported")
        XCTAssertEqual(report.recipientBlocks[0]["Final-Recipient"], "rfc822; gone@example.net")
        XCTAssertEqual(report.recipientBlocks[0]["Action"], "failed")
        XCTAssertEqual(report.recipientBlocks[0]["Status"], "5.1.1")
        XCTAssertEqual(report.recipientBlocks[0]["Diagnostic-Code"], "smtp; 550 5.1.1 User unknown")
        XCTAssertTrue(report.returnedHeader.contains("Subject: Quarterly report\r\n"), report.returnedHeader)
        XCTAssertTrue(report.returnedHeader.contains("Message-ID: <m1@example.org>\r\n"))
        XCTAssertFalse(report.returnedHeader.contains("Body line"), "headers only, not the body")
        XCTAssertTrue(String(decoding: dsn.bytes, as: UTF8.self).contains(original), "the queue ID is quoted")
    }

    func testExpiredMessageBouncesWithItsLastTemporaryStatus() async throws {
        let (_, _, deliverer) = try await bounce(
            script: ["slow@example.net": [.temporaryFailure(status: "4.4.1", text: "connect to mx.example.net: Connection refused")]],
            sender: address("alice@example.org"), recipients: ["slow@example.net"], lifetime: 0.3)
        let attempts = deliverer.calls.filter { !$0.sender.isNull }
        XCTAssertGreaterThan(attempts.count, 1, "retried until it expired")
        let bounces = deliverer.calls.filter { $0.sender.isNull }
        XCTAssertEqual(bounces.count, 1)
        let report = try parse(try XCTUnwrap(bounces.first).bytes)
        XCTAssertEqual(report.recipientBlocks.count, 1)
        XCTAssertEqual(report.recipientBlocks[0]["Action"], "failed")
        XCTAssertEqual(report.recipientBlocks[0]["Status"], "4.4.1")
        let diagnostic = try XCTUnwrap(report.recipientBlocks[0]["Diagnostic-Code"])
        XCTAssertTrue(diagnostic.contains("message expired after"), diagnostic)
        XCTAssertTrue(diagnostic.contains("Connection refused"), diagnostic)
        let text = String(decoding: report.message.bytes[report.message.leaves[0].bodyRange], as: UTF8.self)
        XCTAssertTrue(text.contains("given up"), text)
        XCTAssertTrue(report.returnedHeader.contains("Subject: Quarterly report"))
    }

    func testNoBounceForANullSender() async throws {
        let (spool, _, deliverer) = try await bounce(
            script: ["gone@example.net": [.permanentFailure(status: "5.1.1", text: "550 5.1.1 User unknown")]],
            sender: .null, recipients: ["gone@example.net"], expectBounce: false)
        XCTAssertEqual(deliverer.calls.count, 1, "the failed bounce is dropped, not bounced")
        XCTAssertEqual(try spool.ids(in: .active), [])
    }

    func testNoBounceWhenEverythingWasDelivered() async throws {
        let (_, _, deliverer) = try await bounce(script: [:], sender: address("alice@example.org"),
                                                 recipients: ["a@example.net", "b@example.net"], expectBounce: false)
        XCTAssertEqual(deliverer.calls.count, 1)
        XCTAssertFalse(deliverer.calls.contains { $0.sender.isNull })
    }
}
