import DNS
import MoatCore
import MoatTestSupport
import Policy
import XCTest

/// The DNS-based restrictions through `UnboundResolver` against a real dnsmasq on loopback.
/// Names under `broken.example` (and one reverse zone) are forwarded by dnsmasq to a UDP
/// socket that never answers, so they time out: the "temporary failure" cases.
final class DNSRestrictionTests: XCTestCase {
    private var silent: UDPSocket!
    private var dnsmasq: DNSMasq!
    private var resolver: UnboundResolver!

    private func records(silentPort: UInt16) -> [String] {
        [
            "--local=/example/", "--local=/2.0.192.in-addr.arpa/",
            "--server=/broken.example/127.0.0.1#\(silentPort)",
            "--server=/14.2.0.192.in-addr.arpa/127.0.0.1#\(silentPort)",
            // DNS lists
            "--host-record=9.113.0.203.zen.example,127.0.0.2",
            "--txt-record=9.113.0.203.zen.example,Listed https://zen.example/q?203.0.113.9",
            "--host-record=10.113.0.203.zen.example,127.0.0.20",
            "--host-record=spam.sender.example.dbl.example,127.0.1.2",
            // HELO names and sender domains
            "--host-record=mx.good.example,192.0.2.10",
            "--mx-host=mail.example,mx.good.example,10",
            "--host-record=aonly.example,192.0.2.20",
            "--host-record=v6only.example,2001:db8::20",
            "--mx-host=nomail.example,.,0",
            // client names: .10 confirms, .11 points at a name that does not resolve back
            "--ptr-record=10.2.0.192.in-addr.arpa,mx.good.example",
            "--ptr-record=11.2.0.192.in-addr.arpa,liar.good.example",
            "--host-record=liar.good.example,192.0.2.99",
            "--ptr-record=13.2.0.192.in-addr.arpa,host.broken.example",
            // IPv6: --host-record adds the PTR under ip6.arpa as well
            "--local=/8.b.d.0.1.0.0.2.ip6.arpa/",
            "--host-record=v6host.good.example,2001:db8::10",
            "--host-record=\(IPAddress("2001:db8::bad")!.reversedLabels).zen.example,127.0.0.4",
        ]
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: DNSMasq.binary), "dnsmasq-base not installed")
        silent = try UDPSocket()
        dnsmasq = try DNSMasq(records: records(silentPort: silent.port))
        resolver = try UnboundResolver(.init(servers: [dnsmasq.server], timeout: .milliseconds(700),
                                             forwardedDefaultZones: Self.forwardedZones))
    }

    static let forwardedZones = ["2.0.192.in-addr.arpa", "8.b.d.0.1.0.0.2.ip6.arpa"]

    func testIPv6Client() async throws {
        let names = await ClientNames.lookup(IPAddress("2001:db8::10")!, resolver: resolver, timeout: .seconds(3))
        XCTAssertEqual(names.hostname, "v6host.good.example")
        XCTAssertEqual(names.hostnameStatus, .ok)
        let e = try evaluator([.client: ["reject_rbl_client zen.example=127.0.0.[2..11]"]])
        let listed = await e.checkRecipient(context("2001:db8::bad"))
        XCTAssertEqual(listed.reply?.description, "554 5.7.1 Service unavailable; Client host [2001:db8::bad] blocked using zen.example")
        let clean = await e.checkRecipient(context("2001:db8::10"))
        XCTAssertEqual(clean, .permit)
    }

    override func tearDown() {
        dnsmasq?.stop()
        dnsmasq = nil
        resolver = nil
        silent = nil
    }

    private func evaluator(_ config: [PolicyStage: [String]], codes: RejectCodes = RejectCodes()) throws -> RestrictionEvaluator {
        try Fixtures.evaluator(config, resolver: resolver, codes: codes)
    }

    private func context(_ ip: String = "198.51.100.1", names: ClientNames = .unknown, helo: String = "mx.good.example",
                         sender: String = "a@mail.example") -> PolicyContext {
        PolicyContext(clientAddress: IPAddress(ip)!, clientNames: names, helo: helo, sender: Fixtures.address(sender),
                      recipient: Fixtures.address("alice@local.example"))
    }

    func testRBLClient() async throws {
        let e = try evaluator([.client: ["reject_rbl_client zen.example=127.0.0.[2..11]"]])
        let listed = await e.checkRecipient(context("203.0.113.9"))
        XCTAssertEqual(listed, .reject(PolicyReply(code: 554, enhancedCode: "5.7.1", text:
            "Service unavailable; Client host [203.0.113.9] blocked using zen.example; Listed https://zen.example/q?203.0.113.9")))
        // 127.0.0.20 is outside the filter; without a filter any answer lists, and no TXT
        // record means no "; reason".
        let filtered = await e.checkRecipient(context("203.0.113.10"))
        XCTAssertEqual(filtered, .permit)
        let any = try evaluator([.client: ["reject_rbl_client zen.example"]])
        let anyListed = await any.checkRecipient(context("203.0.113.10"))
        XCTAssertEqual(anyListed.reply?.description, "554 5.7.1 Service unavailable; Client host [203.0.113.10] blocked using zen.example")
        let clean = await e.checkRecipient(context("203.0.113.11"))
        XCTAssertEqual(clean, .permit)
        // A list that cannot be asked does not block mail.
        let dead = try evaluator([.client: ["reject_rbl_client rbl.broken.example"]])
        let deadDecision = await dead.checkRecipient(context("203.0.113.9"))
        XCTAssertEqual(deadDecision, .permit)
    }

    func testRHSBLSender() async throws {
        let e = try evaluator([.sender: ["reject_rhsbl_sender dbl.example=127.0.1.[2..99]"]])
        let listed = await e.checkRecipient(context(sender: "x@SPAM.sender.example"))
        XCTAssertEqual(listed.reply?.description,
                       "554 5.7.1 Service unavailable; Sender address [spam.sender.example] blocked using dbl.example")
        let clean = await e.checkRecipient(context(sender: "x@ham.sender.example"))
        XCTAssertEqual(clean, .permit)
    }

    func testUnknownHeloHostname() async throws {
        let e = try evaluator([.helo: ["reject_unknown_helo_hostname"]])
        let known = await e.checkRecipient(context(helo: "mx.good.example"))
        XCTAssertEqual(known, .permit)
        let viaMX = await e.checkRecipient(context(helo: "mail.example"))
        XCTAssertEqual(viaMX, .permit)
        let unknown = await e.checkRecipient(context(helo: "nohost.good.example"))
        XCTAssertEqual(unknown, .defer(PolicyReply(code: 450, enhancedCode: "4.7.1",
                                                   text: "<nohost.good.example>: Helo command rejected: Host not found")))
        var codes = RejectCodes()
        codes.unknownHostname = 550
        let hard = try evaluator([.helo: ["reject_unknown_helo_hostname"]], codes: codes)
        let hardUnknown = await hard.checkRecipient(context(helo: "nohost.good.example"))
        XCTAssertEqual(hardUnknown.reply?.description, "550 5.7.1 <nohost.good.example>: Helo command rejected: Host not found")
        let literal = await hard.checkRecipient(context(helo: "[192.0.2.1]"))
        XCTAssertEqual(literal, .permit)
        let broken = await hard.checkRecipient(context(helo: "mx.broken.example"))
        XCTAssertEqual(broken.reply?.description, "450 4.7.1 <mx.broken.example>: Helo command rejected: Host not found")
    }

    func testUnknownSenderDomainPermanentVersusTemporary() async throws {
        let e = try evaluator([.sender: ["reject_unknown_sender_domain"]])
        for domain in ["mail.example", "aonly.example", "v6only.example", "local.example"] {
            let decision = await e.checkRecipient(context(sender: "a@\(domain)"))
            XCTAssertEqual(decision, .permit, domain)
        }
        let bounce = await e.checkRecipient(PolicyContext(clientAddress: IPAddress("198.51.100.1")!, sender: .null,
                                                          recipient: Fixtures.address("alice@local.example")))
        XCTAssertEqual(bounce, .permit)
        // NXDOMAIN: Postfix's default unknown_address_reject_code is 450.
        let missing = await e.checkRecipient(context(sender: "a@missing.example"))
        XCTAssertEqual(missing, .defer(PolicyReply(code: 450, enhancedCode: "4.1.8",
                                                   text: "<a@missing.example>: Sender address rejected: Domain not found")))
        var codes = RejectCodes()
        codes.unknownAddress = 550
        let hard = try evaluator([.sender: ["reject_unknown_sender_domain"]], codes: codes)
        let hardMissing = await hard.checkRecipient(context(sender: "a@missing.example"))
        XCTAssertEqual(hardMissing.reply?.description, "550 5.1.8 <a@missing.example>: Sender address rejected: Domain not found")
        // A DNS failure stays 450 even with 550 configured: defer_if_permit.
        let broken = await hard.checkRecipient(context(sender: "a@broken.example"))
        XCTAssertEqual(broken, .defer(PolicyReply(code: 450, enhancedCode: "4.1.8",
                                                  text: "<a@broken.example>: Sender address rejected: Domain not found")))
        let nullMX = await hard.checkRecipient(context(sender: "a@nomail.example"))
        XCTAssertEqual(nullMX.reply?.description,
                       "550 5.7.27 <a@nomail.example>: Sender address rejected: Domain nomail.example does not accept mail (nullMX)")
    }

    func testDeferIfPermitLosesToALaterReject() async throws {
        // The temporary failure is only remembered; a reject later in the evaluation wins.
        let e = try evaluator([.sender: ["reject_unknown_sender_domain"], .recipient: ["reject_unauth_destination"]])
        let context = PolicyContext(clientAddress: IPAddress("198.51.100.1")!, sender: Fixtures.address("a@broken.example"),
                                    recipient: Fixtures.address("x@remote.example"))
        let decision = await e.checkRecipient(context)
        XCTAssertEqual(decision.reply?.description, "554 5.7.1 <x@remote.example>: Relay access denied")
    }

    func testForwardConfirmedClientNames() async throws {
        let confirmed = await ClientNames.lookup(IPAddress("192.0.2.10")!, resolver: resolver, timeout: .seconds(3))
        XCTAssertEqual(confirmed, ClientNames(hostname: "mx.good.example", hostnameStatus: .ok,
                                              reverseHostname: "mx.good.example", reverseHostnameStatus: .ok))
        let liar = await ClientNames.lookup(IPAddress("192.0.2.11")!, resolver: resolver, timeout: .seconds(3))
        XCTAssertEqual(liar, ClientNames(hostname: "unknown", hostnameStatus: .permanentFailure,
                                         reverseHostname: "liar.good.example", reverseHostnameStatus: .ok))
        let none = await ClientNames.lookup(IPAddress("192.0.2.12")!, resolver: resolver, timeout: .seconds(3))
        XCTAssertEqual(none, .unknown)
        let forwardFails = await ClientNames.lookup(IPAddress("192.0.2.13")!, resolver: resolver, timeout: .seconds(3))
        XCTAssertEqual(forwardFails, ClientNames(hostname: "unknown", hostnameStatus: .temporaryFailure,
                                                 reverseHostname: "host.broken.example", reverseHostnameStatus: .ok))
        let reverseFails = await ClientNames.lookup(IPAddress("192.0.2.14")!, resolver: resolver, timeout: .seconds(3))
        XCTAssertEqual(reverseFails.reverseHostnameStatus, .temporaryFailure)
        XCTAssertEqual(reverseFails.hostnameStatus, .temporaryFailure)
        // The overall bound holds even when the resolver's own timeout is longer.
        let slow = try UnboundResolver(.init(servers: [dnsmasq.server], timeout: .seconds(30),
                                             forwardedDefaultZones: Self.forwardedZones))
        let started = ContinuousClock.now
        let bounded = await ClientNames.lookup(IPAddress("192.0.2.14")!, resolver: slow, timeout: .milliseconds(300))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        XCTAssertEqual(bounded.hostnameStatus, .temporaryFailure)
    }

    func testUnknownClientHostnameReplies() async throws {
        let e = try evaluator([.client: ["reject_unknown_client_hostname"]])
        let r = try evaluator([.client: ["reject_unknown_reverse_client_hostname"]])
        for (ip, hostnameReply, reverseReply) in [
            ("192.0.2.10", nil, nil),
            ("192.0.2.11", "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.11]", nil),
            ("192.0.2.12", "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.12]",
             "450 4.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.12]"),
        ] as [(String, String?, String?)] {
            let names = await ClientNames.lookup(IPAddress(ip)!, resolver: resolver, timeout: .seconds(3))
            let byName = await e.checkRecipient(context(ip, names: names))
            XCTAssertEqual(byName.reply?.description, hostnameReply, ip)
            let byReverse = await r.checkRecipient(context(ip, names: names))
            XCTAssertEqual(byReverse.reply?.description, reverseReply, ip)
        }
        // unknown_client_reject_code = 550 applies to permanent failures only.
        var codes = RejectCodes()
        codes.unknownClient = 550
        let hard = try evaluator([.client: ["reject_unknown_client_hostname"]], codes: codes)
        let perm = await hard.checkRecipient(context("192.0.2.11", names: await ClientNames.lookup(
            IPAddress("192.0.2.11")!, resolver: resolver, timeout: .seconds(3))))
        XCTAssertEqual(perm.reply?.description, "550 5.7.25 Client host rejected: cannot find your hostname, [192.0.2.11]")
        let temp = await hard.checkRecipient(context("192.0.2.13", names: await ClientNames.lookup(
            IPAddress("192.0.2.13")!, resolver: resolver, timeout: .seconds(3))))
        XCTAssertEqual(temp.reply?.description, "450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.13]")
    }
}
