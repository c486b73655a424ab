import Foundation
import Logging
import MoatCore
import Quarantine
import SMTP
import Scanning
import SpamEngine
import XCTest
@testable import Filter

/// A next hop that records what it is given and accepts everything, or fails.
actor FakeRelay: MessageRelay {
    struct Call: Sendable {
        var envelope: Envelope
        var message: [UInt8]
        var junk = false
        var text: String { String(decoding: message, as: UTF8.self) }
    }

    nonisolated let name = "smtp:[127.0.0.1]:10025"
    private(set) var calls: [Call] = []
    private let failing: Bool

    init(failing: Bool = false) { self.failing = failing }

    struct Down: Error {}

    func relay(envelope: Envelope, message: [UInt8], junk: Bool) async throws -> SMTPDeliveryResult {
        calls.append(Call(envelope: envelope, message: message, junk: junk))
        if failing { throw Down() }
        let reply = SMTPReply(250, "2.0.0", "Ok: queued as QID\(calls.count)")
        return SMTPDeliveryResult(perRecipient: envelope.recipients.map { ($0, reply) },
                                  dataReply: reply, queueID: "QID\(calls.count)")
    }
}

final class PipelineTests: XCTestCase {
    private let sender = EmailAddress(uncheckedLocalPart: "sender", domain: "example.org")
    private let rcpt = EmailAddress(uncheckedLocalPart: "rcpt", domain: "example.com")
    private let admin = EmailAddress(uncheckedLocalPart: "virusalert", domain: "example.com")
    private let noticeFrom = EmailAddress(uncheckedLocalPart: "moat", domain: "example.com")
    private let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    private func pipeline(_ toml: String = "", filter: String = "", admin: String = "virusalert@example.com",
                          relay: FakeRelay, quarantine: QuarantineStore? = nil,
                          scanner: FakeVirusScanner = FakeVirusScanner()) throws -> FilterPipeline {
        let config = try MoatConfig.parse("""
            [filter]
            hostname = "gw.example.com"
            \(filter)
            [notify]
            admin = "\(admin)"
            from = "moat@example.com"
            """ + "\n" + toml, file: "test.toml")
        let policy = FilterPolicy(config: config)
        let checker = ContentChecker(virusScanner: scanner, banned: try BannedFilePolicy(patterns: config.banned.filenames),
                                     spam: GTUBECheck(), levels: policy.levels)
        return FilterPipeline(checker: checker, policy: policy, quarantine: quarantine, relay: relay, logger: logger)
    }

    private func transaction(_ message: [UInt8], sender: EmailAddress? = nil, recipients: [EmailAddress]? = nil,
                             protocolName: String = "ESMTP") -> SMTPTransaction {
        SMTPTransaction(envelope: Envelope(sender: sender ?? self.sender, recipients: recipients ?? [rcpt],
                                           client: ClientIdentity(address: "192.0.2.7", helo: "client.example.org")),
                        message: message, protocolName: protocolName, peerAddress: "127.0.0.1", localPort: 10024, body: nil)
    }

    private func single(_ outcome: SMTPDeliveryOutcome, file: StaticString = #filePath, line: UInt = #line) -> SMTPReply? {
        if case .single(let r) = outcome { return r }
        XCTFail("expected a single reply, got \(outcome)", file: file, line: line)
        return nil
    }

    private func replies(_ outcome: SMTPDeliveryOutcome, file: StaticString = #filePath, line: UInt = #line) -> [SMTPReply] {
        if case .perRecipient(let r) = outcome { return r }
        XCTFail("expected per-recipient replies, got \(outcome)", file: file, line: line)
        return []
    }

    private var virusMessage: [UInt8] { TestMessages.plain(body: "FAKE-VIRUS-MARKER\r\n") }
    private var bannedMessage: [UInt8] { TestMessages.withAttachment(name: "invoice.exe", content: "MZ...") }

    // MARK: clean

    func testCleanIsRelayedOnceWithHeaders() async throws {
        let relay = FakeRelay()
        let message = TestMessages.plain()
        let outcome = try await pipeline(relay: relay).handle(transaction(message))
        let r = single(outcome).map { [$0] } ?? []
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(r.first?.code, 250)
        XCTAssertEqual(r.first?.enhanced, "2.0.0")
        XCTAssertEqual(r.first?.lines.first?.hasPrefix("Ok, id="), true)
        XCTAssertEqual(r.first?.lines.first?.hasSuffix(" - from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as QID1"), true,
                       r.first?.description ?? "")
        let calls = await relay.calls
        XCTAssertEqual(calls.count, 1)
        XCTAssertEqual(calls.first?.envelope, transaction(message).envelope)
        XCTAssertEqual(calls.first?.text.hasPrefix("X-Virus-Scanned: Moat at gw.example.com\r\n"), true)
        XCTAssertEqual(calls.first?.text.contains("\r\nReceived: from client.example.org ([192.0.2.7])\r\n by gw.example.com (Moat, port 10024) with ESMTP\r\n"), true)
        XCTAssertEqual(calls.first.map { Array($0.message.suffix(message.count)) }, message)
        XCTAssertEqual(calls.first?.text.contains("X-Spam-"), false, "score 0 is below tag_level 2")
    }

    func testLocalAndNonLocalRecipientsRelayedSeparately() async throws {
        let relay = FakeRelay()
        let outsider = EmailAddress(uncheckedLocalPart: "x", domain: "elsewhere.org")
        let p = try pipeline("[spam]\ntag_level = -9999", filter: "local_domains = [\".example.com\"]", relay: relay)
        let outcome = await p.handle(transaction(TestMessages.plain(), recipients: [outsider, rcpt], protocolName: "LMTP"))
        XCTAssertEqual(replies(outcome).map(\.code), [250, 250])
        let smtp = await p.handle(transaction(TestMessages.plain(), recipients: [outsider, rcpt]))
        XCTAssertEqual(single(smtp)?.code, 250)
        let calls = await relay.calls
        XCTAssertEqual(calls.prefix(2).map(\.envelope.recipients), [[rcpt], [outsider]])
        XCTAssertEqual(calls.first?.text.contains("X-Spam-Flag: NO\r\n"), true)
        XCTAssertEqual(calls.last?.text.contains("X-Spam-"), false)
    }

    func testRelayFailureTempfails() async throws {
        let relay = FakeRelay(failing: true)
        let outcome = try await pipeline(relay: relay).handle(transaction(TestMessages.plain()))
        let r = single(outcome).map { [$0] } ?? []
        XCTAssertEqual(r.map(\.code), [451])
        XCTAssertEqual(r.first?.enhanced, "4.6.0")
        XCTAssertEqual(r.first?.lines.first?.hasSuffix("forwarding to smtp:[127.0.0.1]:10025 FAILED"), true)
        let count = await relay.calls.count
        XCTAssertEqual(count, 1)
    }

    func testScannerFailureTempfails() async throws {
        let relay = FakeRelay()
        let outcome = try await pipeline(relay: relay, scanner: FakeVirusScanner(fails: true)).handle(transaction(TestMessages.plain()))
        let r = single(outcome)
        XCTAssertEqual(r?.code, 451)
        XCTAssertEqual(r?.enhanced, "4.5.0")
        let count = await relay.calls.count
        XCTAssertEqual(count, 0)
    }

    // MARK: virus

    func testVirusDiscardOnlyNotifiesAdmin() async throws {
        let relay = FakeRelay()
        let outcome = try await pipeline(relay: relay).handle(transaction(virusMessage))
        let r = single(outcome)
        XCTAssertEqual(r?.code, 250)
        XCTAssertEqual(r?.enhanced, "2.7.0")
        XCTAssertEqual(r?.lines.first?.hasSuffix(" - INFECTED: Fake.Test.Virus"), true, r?.description ?? "")
        let calls = await relay.calls
        XCTAssertEqual(calls.count, 1, "only the admin notice")
        XCTAssertEqual(calls.first?.envelope.sender, noticeFrom)
        XCTAssertEqual(calls.first?.envelope.recipients, [admin])
        XCTAssertEqual(calls.first?.text.contains("Fake.Test.Virus"), true)
        XCTAssertEqual(calls.first?.text.contains("FAKE-VIRUS-MARKER"), false, "the notice carries the header only")
    }

    func testVirusWithoutAdminRelaysNothing() async throws {
        let relay = FakeRelay()
        let outcome = try await pipeline(admin: "", relay: relay).handle(transaction(virusMessage))
        XCTAssertEqual(single(outcome)?.code, 250)
        let count = await relay.calls.count
        XCTAssertEqual(count, 0)
    }

    func testVirusReject() async throws {
        let relay = FakeRelay()
        let outcome = try await pipeline("[virus]\ndestiny = \"reject\"", relay: relay).handle(transaction(virusMessage))
        let r = single(outcome)
        XCTAssertEqual(r?.code, 554)
        XCTAssertEqual(r?.enhanced, "5.7.0")
        XCTAssertEqual(r?.lines.first?.hasPrefix("Reject, id="), true)
        let calls = await relay.calls
        XCTAssertEqual(calls.map(\.envelope.recipients), [[admin]])
    }

    func testVirusQuarantined() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("moat-pipeline-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try QuarantineStore(directory: dir + "/q", indexPath: dir + "/index.sqlite")
        let relay = FakeRelay()
        let outcome = try await pipeline(relay: relay, quarantine: store).handle(transaction(virusMessage))
        XCTAssertEqual(single(outcome)?.enhanced, "2.7.0")
        let entries = try store.list()
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries.first?.category, .virus)
        XCTAssertEqual(entries.first?.sender, "sender@example.org")
        let id = try XCTUnwrap(entries.first?.mailID)
        XCTAssertTrue(single(outcome)?.lines.first?.contains("id=\(id)") ?? false)
        let loaded = try store.load(id)
        XCTAssertEqual(loaded.message, virusMessage)
        let calls = await relay.calls
        XCTAssertEqual(calls.first?.text.contains("virus-\(id)"), true, "the notice names the quarantine location")
    }

    func testCleanIsNotQuarantined() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("moat-pipeline-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try QuarantineStore(directory: dir + "/q", indexPath: dir + "/index.sqlite")
        let relay = FakeRelay()
        _ = try await pipeline(relay: relay, quarantine: store).handle(transaction(TestMessages.plain()))
        XCTAssertEqual(try store.list().count, 0)
        let text = await relay.calls.first?.text
        XCTAssertEqual(text?.contains("X-Quarantine-ID"), false)
    }

    // MARK: banned

    func testBannedBounceSendsDSNToSenderWithNullSender() async throws {
        let relay = FakeRelay()
        let outcome = try await pipeline(relay: relay).handle(transaction(bannedMessage))
        let r = single(outcome)
        XCTAssertEqual(r?.code, 250)
        XCTAssertEqual(r?.enhanced, "2.5.0")
        XCTAssertEqual(r?.lines.first?.hasSuffix(", BOUNCE"), true)
        let calls = await relay.calls
        XCTAssertEqual(calls.count, 2, "the DSN and the admin notice")
        let dsn = try XCTUnwrap(calls.first)
        XCTAssertTrue(dsn.envelope.sender.isNull)
        XCTAssertEqual(dsn.envelope.recipients, [sender])
        XCTAssertTrue(dsn.text.contains("multipart/report"), dsn.text)
        XCTAssertTrue(dsn.text.contains("<rcpt@example.com>") || dsn.text.contains("rfc822;rcpt@example.com"))
        XCTAssertEqual(calls.last?.envelope.recipients, [admin])
    }

    func testBannedFromNullSenderSendsNoDSN() async throws {
        let relay = FakeRelay()
        let outcome = try await pipeline(relay: relay).handle(transaction(bannedMessage, sender: .null))
        let r = single(outcome)
        XCTAssertEqual(r?.code, 250)
        XCTAssertEqual(r?.enhanced, "2.7.0")
        let calls = await relay.calls
        XCTAssertEqual(calls.map(\.envelope.recipients), [[admin]], "only the admin notice")
        XCTAssertFalse(calls.contains { $0.envelope.sender.isNull })
    }

    func testBannedDSNFailureTempfails() async throws {
        let relay = FakeRelay(failing: true)
        let outcome = try await pipeline(relay: relay).handle(transaction(bannedMessage))
        let r = single(outcome)
        XCTAssertEqual(r?.code, 451)
        XCTAssertEqual(r?.enhanced, "4.6.0")
        XCTAssertEqual(r?.lines.first?.hasSuffix("DSN FAILED"), true)
    }

    // MARK: spam

    func testSpamAtKillWithBounceSendsNoDSN() async throws {
        let relay = FakeRelay()
        let outcome = try await pipeline("[spam]\ndestiny = \"bounce\"", relay: relay)
            .handle(transaction(TestMessages.plain(body: TestMessages.gtube + "\r\n")))
        let r = single(outcome)
        XCTAssertEqual(r?.code, 250)
        XCTAssertEqual(r?.enhanced, "2.7.0")
        XCTAssertEqual(r?.lines.first?.hasSuffix(" - SPAM"), true)
        let count = await relay.calls.count
        XCTAssertEqual(count, 0, "no DSN and no notice for spam")
    }

    func testSpamPassIsTaggedForLocalRecipients() async throws {
        let relay = FakeRelay()
        let outcome = try await pipeline(relay: relay)
            .handle(transaction(TestMessages.plain(subject: "buy now", body: TestMessages.gtube + "\r\n")))
        XCTAssertEqual(single(outcome)?.code, 250)
        let first = await relay.calls.first?.text
        let text = try XCTUnwrap(first)
        XCTAssertTrue(text.contains("X-Spam-Flag: YES\r\nX-Spam-Score: 1000\r\n"), text)
        XCTAssertTrue(text.contains("\r\nSubject: ***SPAM*** buy now\r\n"), text)
    }
}
