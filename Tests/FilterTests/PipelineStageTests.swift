import Foundation
import Logging
import MoatCore
import SMTP
import Scanning
import SpamEngine
import XCTest
@testable import Filter

/// The filter inside the MX: destinies by stage, the Junk hint, the time budget.
final class PipelineStageTests: XCTestCase {
    private let sender = EmailAddress(uncheckedLocalPart: "sender", domain: "example.org")
    private let rcpt = EmailAddress(uncheckedLocalPart: "rcpt", domain: "example.com")
    private let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    private func pipeline(stage: FilterPolicy.Stage, _ toml: String = "", relay: FakeRelay,
                          scanner: any VirusScanner = FakeVirusScanner(),
                          budget: FilterPipeline.Budget? = nil) throws -> FilterPipeline {
        let config = try MoatConfig.parse("[filter]\nhostname = \"mx.example.com\"\n" + toml, file: "test.toml")
        var policy = FilterPolicy(config: config)
        policy.stage = stage
        let checker = ContentChecker(virusScanner: scanner, banned: try BannedFilePolicy(patterns: config.banned.filenames),
                                     spam: GTUBECheck(), levels: policy.levels)
        return FilterPipeline(checker: checker, policy: policy, quarantine: nil, relay: relay, logger: logger, budget: budget)
    }

    private func transaction(_ message: [UInt8]) -> SMTPTransaction {
        SMTPTransaction(envelope: Envelope(sender: sender, recipients: [rcpt], client: ClientIdentity(address: "192.0.2.7")),
                        message: message, protocolName: "ESMTP", peerAddress: "192.0.2.7", localPort: 25, body: nil)
    }

    private func reply(_ outcome: SMTPDeliveryOutcome) -> SMTPReply? {
        if case .single(let r) = outcome { return r }
        XCTFail("expected a single reply, got \(outcome)")
        return nil
    }

    func testBeforeQueueABounceBecomesAReject() async throws {
        let relay = FakeRelay()
        let banned = TestMessages.withAttachment(name: "invoice.exe", content: "MZ...")
        let r = reply(try await pipeline(stage: .beforeQueue, relay: relay).handle(transaction(banned)))
        XCTAssertEqual(r?.code, 554)
        XCTAssertEqual(r?.enhanced, "5.7.0")
        let dsns = await relay.calls.filter { $0.envelope.sender.isNull }
        XCTAssertTrue(dsns.isEmpty, "the sending server tells the sender, not us")
    }

    func testAfterQueueARejectBecomesABounceButNeverForSpam() async throws {
        let relay = FakeRelay()
        let virus = TestMessages.plain(body: "FAKE-VIRUS-MARKER\r\n")
        let r = reply(try await pipeline(stage: .afterQueue, "[virus]\ndestiny = \"reject\"\n[notify]\nadmin = \"\"", relay: relay)
            .handle(transaction(virus)))
        XCTAssertEqual(r?.code, 250, "nobody is left to refuse to")
        let calls = await relay.calls
        XCTAssertEqual(calls.count, 1)
        XCTAssertTrue(calls[0].envelope.sender.isNull)
        XCTAssertEqual(calls[0].envelope.recipients, [sender])

        let spamRelay = FakeRelay()
        let spam = TestMessages.plain(body: TestMessages.gtube + "\r\n")
        let s = reply(try await pipeline(stage: .afterQueue, "[spam]\ndestiny = \"reject\"", relay: spamRelay)
            .handle(transaction(spam)))
        XCTAssertEqual(s?.code, 250)
        let spamCalls = await spamRelay.calls
        XCTAssertTrue(spamCalls.isEmpty, "no backscatter for spam")
    }

    func testPassedSpamIsMarkedJunkAndTheQueueReplyGoesOutAsIs() async throws {
        let relay = FakeRelay()
        let spam = TestMessages.plain(body: TestMessages.gtube + "\r\n")
        let r = reply(try await pipeline(stage: .beforeQueue, relay: relay).handle(transaction(spam)))
        XCTAssertEqual(r, SMTPReply(250, "2.0.0", "Ok: queued as QID1"))
        let calls = await relay.calls
        XCTAssertEqual(calls.map(\.junk), [true])
        XCTAssertFalse(calls[0].text.contains("Received:"), "the MX writes its own Received header")
        let clean = FakeRelay()
        _ = try await pipeline(stage: .beforeQueue, relay: clean).handle(transaction(TestMessages.plain()))
        let cleanCalls = await clean.calls
        XCTAssertEqual(cleanCalls.map(\.junk), [false])
    }

    func testPastTheBudgetTheMessageGoesToTheOverflowUnjudged() async throws {
        let relay = FakeRelay()
        let overflow = RecordingOverflow()
        let slow = SlowScanner(delay: .seconds(5))
        let started = ContinuousClock.now
        let r = reply(try await pipeline(stage: .beforeQueue, relay: relay, scanner: slow,
                                         budget: FilterPipeline.Budget(limit: .milliseconds(200), overflow: overflow))
            .handle(transaction(TestMessages.plain())))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3), "the budget holds even if the scan does not stop")
        XCTAssertEqual(r, SMTPReply(250, "2.0.0", "Ok: queued unfiltered"))
        let taken = await overflow.taken
        XCTAssertEqual(taken, 1)
        let calls = await relay.calls
        XCTAssertTrue(calls.isEmpty)
    }
}

/// A scanner that takes its time and ignores cancellation, as a blocking libclamav scan does.
struct SlowScanner: VirusScanner {
    var delay: Duration
    func scan(_ bytes: [UInt8], name: String?) async throws -> [String] {
        let until = ContinuousClock.now + delay
        while ContinuousClock.now < until { try? await Task.sleep(for: .milliseconds(50)) }
        return []
    }
}

actor RecordingOverflow: FilterOverflow {
    private(set) var taken = 0
    func acceptUnfiltered(_ transaction: SMTPTransaction) async -> SMTPDeliveryOutcome {
        taken += 1
        return .single(SMTPReply(250, "2.0.0", "Ok: queued unfiltered"))
    }
}
