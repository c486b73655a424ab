import DNS
import Delivery
import Directory
import Foundation
import Logging
import MoatCore
import MoatTestSupport
import Queue
import XCTest

/// What every delivery test stands on: a real directory (SQLite) and mail root in a fresh
/// temporary directory per test, and one real dnsmasq per test class serving the zones
/// below on loopback. Addresses in the zones are loopback only; ports come from
/// `[delivery] smtp_port`, set per test to the sink's.
class DeliveryTestCase: XCTestCase {
    /// Nothing listens on 127.0.0.2 or 127.0.0.3: they only stand for "this host".
    static let ownAddress = "127.0.0.2"
    static let ownName = "mx.self.moattest"

    static func records(silentPort: UInt16) -> [String] {
        [
            "--host-record=mx4.moattest,127.0.0.1",
            "--host-record=mx6.moattest,::1",
            "--host-record=self.moattest,\(ownAddress)",
            "--host-record=\(ownName),127.0.0.3",
            // MX preference: ::1 first, then 127.0.0.1 (and the reverse).
            "--mx-host=pref6.moattest,mx6.moattest,10", "--mx-host=pref6.moattest,mx4.moattest,20",
            "--mx-host=pref4.moattest,mx4.moattest,10", "--mx-host=pref4.moattest,mx6.moattest,20",
            // A domain with one MX whose host does not exist, then a working one.
            "--mx-host=ghost.moattest,nowhere.moattest,5", "--mx-host=ghost.moattest,mx4.moattest,10",
            // No MX: the A record is the implicit MX.
            "--host-record=implicit.moattest,127.0.0.1",
            "--mx-host=nullmx.moattest,.,0",
            // Loops: an MX that is our address, one that is our name.
            "--mx-host=loop.moattest,self.moattest,10",
            "--mx-host=loopname.moattest,\(ownName),10",
            // Backup MX: we are at 20 behind a primary, at 10 ahead of another, and tied.
            "--mx-host=backup.moattest,mx4.moattest,10", "--mx-host=backup.moattest,self.moattest,20",
            "--mx-host=backupfirst.moattest,self.moattest,10", "--mx-host=backupfirst.moattest,mx4.moattest,20",
            "--mx-host=backuptie.moattest,self.moattest,10", "--mx-host=backuptie.moattest,mx4.moattest,10",
            // The relayhost written host:port is an MX lookup.
            "--mx-host=relay.moattest,mx4.moattest,10",
            // Remote domains of aliases.
            "--mx-host=remote.moattest,mx4.moattest,10",
            // DNS that never answers.
            "--server=/broken.moattest/127.0.0.1#\(silentPort)",
        ]
    }

    nonisolated(unsafe) static var dnsmasq: DNSMasq?
    nonisolated(unsafe) static var silent: UDPSocket?
    nonisolated(unsafe) static var resolver: UnboundResolver?

    override class func setUp() {
        super.setUp()
        guard FileManager.default.isExecutableFile(atPath: DNSMasq.binary) else { return }
        do {
            let silent = try UDPSocket()
            let dnsmasq = try DNSMasq(records: records(silentPort: silent.port))
            Self.silent = silent
            Self.dnsmasq = dnsmasq
            Self.resolver = try UnboundResolver(.init(servers: [dnsmasq.server], timeout: .milliseconds(600),
                                                      maxCacheTTL: .zero))
        } catch {
            print("DeliveryTestCase: DNS set-up failed: \(error)")
        }
    }

    override class func tearDown() {
        resolver = nil
        dnsmasq?.stop()
        dnsmasq = nil
        silent = nil
        super.tearDown()
    }

    var root = ""
    var store: DirectoryStore!
    var storage = StorageSettings()

    override func setUpWithError() throws {
        try XCTSkipUnless(Self.resolver != nil, "dnsmasq-base not installed or not started")
        root = NSTemporaryDirectory() + "moat-delivery-\(UUID().uuidString)"
        storage.dataDir = root
        store = try DirectoryStore(path: storage.directoryDatabase)
    }

    override func tearDownWithError() throws {
        store = nil
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: Building blocks

    /// `[delivery]` for tests: short timeouts, MX port `smtpPort`, no TLS unless asked.
    func settings(smtpPort: Int = 25, _ configure: (inout DeliverySettings) -> Void = { _ in }) -> DeliverySettings {
        var settings = DeliverySettings()
        settings.smtpPort = smtpPort
        settings.connectTimeout = .seconds(3)
        settings.transactionTimeout = .seconds(20)
        settings.tlsSecurityLevel = .none
        configure(&settings)
        return settings
    }

    static let identity = LocalIdentity(hostname: "moat.moattest", names: [ownName],
                                        addresses: [IPAddress(ownAddress)!])

    func deliverer(_ settings: DeliverySettings, identity: LocalIdentity = DeliveryTestCase.identity,
                   limits: MailDeliverer.Limits = MailDeliverer.Limits()) throws -> MailDeliverer {
        var logger = Logger(label: "moat.delivery.test")
        logger.logLevel = ProcessInfo.processInfo.environment["MOAT_TEST_LOG"] == nil ? .critical : .trace
        return try MailDeliverer(delivery: settings, storage: storage, directory: store, resolver: Self.resolver!,
                                 logger: logger, identity: identity, limits: limits)
    }

    /// The local domain example.com with a mailbox for each of `users`.
    func addExampleDomain(mailboxes users: [String] = ["alice", "bob"]) throws {
        _ = try store.addDomain("example.com")
        for user in users { _ = try store.addMailbox("\(user)@example.com", password: Array("secret".utf8)) }
    }

    func address(_ text: String) -> EmailAddress { EmailAddress(parsing: text)! }

    static let body = Array("From: Sender <sender@example.org>\r\nTo: rcpt@example.com\r\nSubject: test\r\nMessage-ID: <t1@example.org>\r\n\r\nHello there.\r\n".utf8)

    func message(id: String = "4A1B2C3D4E", from sender: String = "sender@example.org", bytes: [UInt8] = body,
                 junk: Bool = false) -> QueuedMessage {
        QueuedMessage(id: id, sender: sender.isEmpty ? .null : address(sender), bytes: bytes, arrival: 0,
                      hints: DeliveryHints(junk: junk))
    }

    func deliver(_ deliverer: MailDeliverer, _ message: QueuedMessage, to recipients: [String]) async -> [DeliveryOutcome] {
        await deliverer.deliver(message, to: recipients.map(address))
    }

    /// Delivers `count` messages to `recipient` one after the other, each of which must be
    /// delivered, and prints the rate as `label` (`… deliveries/s (sequential…)`).
    func measureSequentialDeliveries(_ count: Int, by deliverer: MailDeliverer, to recipient: String,
                                     label: String, detail: String = "sequential") async {
        let started = ContinuousClock.now
        for index in 0..<count {
            let outcomes = await deliver(deliverer, message(id: "RATE\(index)"), to: [recipient])
            XCTAssertEqual(outcomes, [.delivered])
        }
        printRate(label, count, since: started, detail: detail)
    }

    /// `label: N messages in T, R deliveries/s (detail)`.
    func printRate(_ label: String, _ count: Int, since started: ContinuousClock.Instant, detail: String) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("\(label): \(count) messages in \(elapsed), \(Int(Double(count) / seconds)) deliveries/s (\(detail))")
    }

    // MARK: Maildirs

    /// The Maildir of `address` under the test's mail root.
    func maildir(_ address: String) -> String {
        let parts = address.split(separator: "@")
        return "\(storage.mailRoot)/\(parts[1])/\(parts[0])/Maildir"
    }

    /// The files in `new/` of `address`'s INBOX (or `folder`, e.g. `.Junk`), contents sorted by name.
    func stored(_ address: String, folder: String? = nil) throws -> [String] {
        let directory = maildir(address) + (folder.map { "/\($0)" } ?? "") + "/new"
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).sorted().map {
            try String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8)
        }
    }
}

/// Status and text of a failure, or "delivered".
func describe(_ outcome: DeliveryOutcome) -> String {
    switch outcome {
    case .delivered: "delivered"
    case .temporaryFailure(let status, let text): "temporary \(status) \(text)"
    case .permanentFailure(let status, let text): "permanent \(status) \(text)"
    }
}
