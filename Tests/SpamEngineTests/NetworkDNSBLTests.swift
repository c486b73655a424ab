import MoatTestSupport
import XCTest
import DNS
@testable import SpamEngine

/// DNSBL and URIBL checks end to end: `UnboundResolver` against a real dnsmasq serving fake
/// zones on a loopback port.
final class NetworkDNSBLTests: XCTestCase {
    static let records = [
        // zen.moattest: 192.0.2.1 listed as SBL (127.0.0.2); 192.0.2.2 as XBL (127.0.0.4).
        "--host-record=1.2.0.192.zen.moattest,127.0.0.2",
        "--host-record=2.2.0.192.zen.moattest,127.0.0.4",
        "--txt-record=1.2.0.192.zen.moattest,https://zen.moattest/query/ip/192.0.2.1",
        // uribl.moattest: spam-domain.com and one IP literal listed; multi.uribl.moattest answers 127.0.0.2 and .4 (a bitmask zone).
        "--host-record=spam-domain.com.uribl.moattest,127.0.0.2",
        "--host-record=7.100.51.198.uribl.moattest,127.0.0.2",
        "--host-record=spam-domain.com.multi.moattest,127.0.0.6",
    ]

    private var dnsmasq: DNSMasq!
    private var resolver: UnboundResolver!
    private let psl = PublicSuffixList(text: "com\nuk\nco.uk\nmoattest\n")

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: DNSMasq.binary), "dnsmasq-base not installed")
        dnsmasq = try DNSMasq(records: Self.records)
        resolver = try UnboundResolver(.init(servers: [dnsmasq.server], timeout: .seconds(2)))
    }

    override func tearDown() {
        dnsmasq?.stop()
        dnsmasq = nil
        resolver = nil
    }

    private func zenRules() throws -> [RBLRule] {
        [
            try RBLRule.checkRBL("__RCVD_IN_ZEN", set: "zen", zone: "zen.moattest."),
            try RBLRule.checkRBLSub("RCVD_IN_SBL", set: "zen", subtest: "127.0.0.2"),
            try RBLRule.checkRBLSub("RCVD_IN_XBL", set: "zen", subtest: "127.0.0.4"),
            try RBLRule.checkRBLSub("RCVD_IN_ZEN_MASK", set: "zen", subtest: "2"),
            try RBLRule.checkRBLSub("RCVD_IN_ZEN_RE", set: "zen", subtest: "127\\.0\\.0\\.[2-3]"),
        ]
    }

    func testListedRelayHitsCheckRBLAndMatchingSubs() async throws {
        let checker = RBLChecker(rules: try zenRules())
        let hits = await checker.check(relays: RelayIPs(untrusted: ["192.0.2.1"]), resolver: resolver, budget: .seconds(3))
        XCTAssertEqual(hits.map(\.rule), ["__RCVD_IN_ZEN", "RCVD_IN_SBL", "RCVD_IN_ZEN_MASK", "RCVD_IN_ZEN_RE"])
        XCTAssertEqual(hits.first?.details, ["192.0.2.1 listed in zen.moattest"])
        // check_rbl_sub reused the check_rbl answer: one question asked in all.
        XCTAssertEqual(resolver.statistics.queries, 1)
    }

    func testSubtestMiss() async throws {
        let checker = RBLChecker(rules: try zenRules())
        let xbl = await checker.check(relays: RelayIPs(untrusted: ["192.0.2.2"]), resolver: resolver, budget: .seconds(3))
        XCTAssertEqual(xbl.map(\.rule), ["__RCVD_IN_ZEN", "RCVD_IN_XBL"])  // 127.0.0.4: no SBL, no mask-2 hit
        let clean = await checker.check(relays: RelayIPs(untrusted: ["192.0.2.3", "10.0.0.1"]), resolver: resolver, budget: .seconds(3))
        XCTAssertEqual(clean, [])
    }

    func testCheckRBLWithSubtestAndTXT() async throws {
        let checker = RBLChecker(rules: [
            try RBLRule.checkRBL("ZEN_SBL_ONLY", set: "zen-lastexternal", zone: "zen.moattest", subtest: "127.0.0.2"),
            try RBLRule.checkRBLTXT("ZEN_TXT", set: "zentxt", zone: "zen.moattest", subtest: "zen\\.moattest/query"),
        ])
        let relays = RelayIPs(untrusted: ["192.0.2.1"], external: ["192.0.2.1"])
        let hits = await checker.check(relays: relays, resolver: resolver, budget: .seconds(3))
        XCTAssertEqual(hits, [
            NetworkHit(rule: "ZEN_SBL_ONLY", details: ["192.0.2.1 listed in zen.moattest"]),
            NetworkHit(rule: "ZEN_TXT", details: ["https://zen.moattest/query/ip/192.0.2.1"]),
        ])
        // -lastexternal queries only the last external relay.
        let other = await checker.check(relays: RelayIPs(untrusted: ["192.0.2.1"], external: ["192.0.2.3", "192.0.2.1"]),
                                        resolver: resolver, budget: .seconds(3))
        XCTAssertEqual(other.map(\.rule), ["ZEN_TXT"])
    }

    func testURIBL() async throws {
        let checker = URIBLChecker(
            rules: [URIBLRule(name: "URIBL_TEST", zone: "uribl.moattest"),
                    try XCTUnwrap(URIBLRule.urirhssub("URIBL_MULTI_4", zone: "multi.moattest", type: "A", subtest: "4")),
                    try XCTUnwrap(URIBLRule.urirhssub("URIBL_MULTI_8", zone: "multi.moattest", type: "A", subtest: "8"))],
            publicSuffixes: psl)
        let listed = await checker.check(hosts: ["www.spam-domain.com"], resolver: resolver, budget: .seconds(3))
        XCTAssertEqual(listed, [NetworkHit(rule: "URIBL_TEST", details: ["URI: spam-domain.com"]),
                                NetworkHit(rule: "URIBL_MULTI_4", details: ["URI: spam-domain.com"])])
        let ip = await checker.check(hosts: ["198.51.100.7"], resolver: resolver, budget: .seconds(3))
        XCTAssertEqual(ip.map(\.rule), ["URIBL_TEST"])
        let clean = await checker.check(hosts: ["ham-domain.com", "www.example.co.uk"], resolver: resolver, budget: .seconds(3))
        XCTAssertEqual(clean, [])
        let skipping = URIBLChecker(rules: checker.rules, publicSuffixes: psl, skipDomains: ["spam-domain.com"])
        let skipped = await skipping.check(hosts: ["www.spam-domain.com"], resolver: resolver, budget: .seconds(3))
        XCTAssertEqual(skipped, [])
    }

    func testBudgetIsRespected() async throws {
        // One zone answers, the other server never does: the listed answer is kept, the
        // silent lookups are reported unanswered when the budget ends.
        let silent = try UDPSocket()
        let slow = try UnboundResolver(.init(servers: ["127.0.0.1:\(silent.port)"], timeout: .seconds(30)))
        let queries = [DNSQuery("1.2.0.192.zen.moattest", .a), DNSQuery("2.2.0.192.zen.moattest", .a)]
        let started = ContinuousClock.now
        let answers = await NetworkChecks.run(queries, resolver: slow, budget: .milliseconds(300))
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(answers.unanswered, Set(queries))
        XCTAssertTrue(answers.answers.isEmpty)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(290))
        XCTAssertLessThan(elapsed, .milliseconds(1000))

        let checker = RBLChecker(rules: try zenRules())
        let t0 = ContinuousClock.now
        let hits = await checker.check(relays: RelayIPs(untrusted: ["192.0.2.1"]), resolver: slow, budget: .milliseconds(200))
        XCTAssertEqual(hits, [])
        XCTAssertLessThan(ContinuousClock.now - t0, .milliseconds(1000))
        withExtendedLifetime(silent) {}
    }

    func testAllAnsweredEndsEarly() async throws {
        let queries = (1...3).map { DNSQuery("\($0).2.0.192.zen.moattest", .a) } + [DNSQuery("1.2.0.192.zen.moattest", .txt)]
        let started = ContinuousClock.now
        let answers = await NetworkChecks.run(queries, resolver: resolver, budget: .seconds(10))
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(answers.answers.count, 4)
        XCTAssertEqual(answers[DNSQuery("1.2.0.192.zen.moattest", .a)], ["127.0.0.2"])
        XCTAssertEqual(answers[DNSQuery("3.2.0.192.zen.moattest", .a)], [])
        XCTAssertLessThan(elapsed, .seconds(2))
        print("latency: 4 concurrent DNSBL lookups under NetworkChecks.run in \(elapsed)")
    }
}
