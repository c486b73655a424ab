import MoatTestSupport
import DNS
import Foundation
import MoatCore
import XCTest
@testable import SpamEngine

/// The rule engine's network phase end to end: rules from a rules directory, lookups
/// through `UnboundResolver` against a dnsmasq serving test zones.
final class EngineNetworkTests: XCTestCase {
    static let rules = """
        header __LOCAL        Subject =~ /\\bOffer\\b/
        header RCVD_IN_TEST   eval:check_rbl('test', 'zen.moattest.')
        tflags RCVD_IN_TEST   net
        score  RCVD_IN_TEST   0 1.5 0 1.5
        header RCVD_IN_TEST_SUB eval:check_rbl_sub('test', '127.0.0.2')
        tflags RCVD_IN_TEST_SUB net
        score  RCVD_IN_TEST_SUB 0 0.5 0 0.5
        meta   META_NET       RCVD_IN_TEST && __LOCAL
        score  META_NET       0 2.0 0 2.0
        urirhssub URIBL_TEST  uribl.moattest.  A  2
        body   URIBL_TEST     eval:check_uridnsbl('URIBL_TEST')
        tflags URIBL_TEST     net
        score  URIBL_TEST     0 1.0 0 1.0
        body   LOCAL_BODY     /cheap pills/
        score  LOCAL_BODY     1.0
        """
    static let records = [
        "--host-record=1.2.0.192.zen.moattest,127.0.0.2",
        "--host-record=spam-domain.com.uribl.moattest,127.0.0.2",
    ]

    private var dnsmasq: DNSMasq!
    private var rulesDir: EngineRulesDirectory!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: DNSMasq.binary), "dnsmasq-base not installed")
        dnsmasq = try DNSMasq(records: Self.records)
        rulesDir = try EngineRulesDirectory(Self.rules, publicSuffixes: "com\nmoattest\n")
    }

    override func tearDown() {
        dnsmasq?.stop()
        dnsmasq = nil
        rulesDir?.remove()
    }

    private func engine(network: Bool, servers: [String]? = nil, budget: Duration = .seconds(3)) -> RuleEngine {
        var dns = DNSSettings()
        dns.servers = servers ?? [dnsmasq.server]
        dns.timeout = .seconds(10)
        return RuleEngine(directories: [rulesDir.path],
                          settings: RuleEngineSettings(useNetwork: network, dnsTimeout: budget, dns: dns))
    }

    func testListedRelayHitsNetworkRuleAndMetaOverIt() async throws {
        let engine = engine(network: true)
        XCTAssertFalse(engine.unimplemented.contains("RCVD_IN_TEST"))
        XCTAssertFalse(engine.unimplemented.contains("URIBL_TEST"))
        let result = await engine.scan(EngineMessages.message())
        let names = result.verdict.hits.map(\.name)
        XCTAssertEqual(names, ["LOCAL_BODY", "META_NET", "RCVD_IN_TEST", "RCVD_IN_TEST_SUB", "URIBL_TEST"])
        XCTAssertEqual(result.verdict.score, 1.0 + 2.0 + 1.5 + 0.5 + 1.0, accuracy: 1e-9)
        XCTAssertEqual(result.scoreSet, ScoreSet(bayes: false, network: true))
        XCTAssertEqual(result.networkHits.first?.details, ["192.0.2.1 listed in zen.moattest"])
        XCTAssertNil(result.verdict.autolearn)  // no Bayes configured
        // The SpamChecker entry point gives the same verdict.
        let checked = try await engine.check(EngineMessages.message())
        XCTAssertEqual(checked.hits.map(\.name), names)
    }

    func testUnlistedRelayNoNetworkHitsNoMeta() async {
        let result = await engine(network: true).scan(EngineMessages.message(relay: "192.0.2.3", body: "plain text\n"))
        XCTAssertEqual(result.verdict.hits.map(\.name), [])
    }

    func testMetaNeedsTheLocalPartToo() async {
        let result = await engine(network: true).scan(EngineMessages.message(subject: "Hello"))
        XCTAssertEqual(result.verdict.hits.map(\.name), ["LOCAL_BODY", "RCVD_IN_TEST", "RCVD_IN_TEST_SUB", "URIBL_TEST"])
    }

    func testNetworkOffNeitherHits() async {
        let engine = engine(network: false)
        XCTAssertNil(engine.resolver)
        let result = await engine.scan(EngineMessages.message())
        XCTAssertEqual(result.verdict.hits.map(\.name), ["LOCAL_BODY"])
        XCTAssertEqual(result.scoreSet, ScoreSet(bayes: false, network: false))
        XCTAssertTrue(result.networkHits.isEmpty)
    }

    func testBudgetHonouredWhenTheServerNeverAnswers() async throws {
        let silent = try UDPSocket()  // bound, never read: a DNS server that never answers
        let engine = engine(network: true, servers: ["127.0.0.1:\(silent.port)"], budget: .milliseconds(400))
        let start = ContinuousClock.now
        let result = await engine.scan(EngineMessages.message())
        let elapsed = ContinuousClock.now - start
        XCTAssertLessThan(elapsed, .seconds(3), "the 0.4 s budget bounds the scan, not the 10 s lookup timeout")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(350))
        XCTAssertEqual(result.verdict.hits.map(\.name), ["LOCAL_BODY"])
        withExtendedLifetime(silent) {}
    }

    func testLocalPhasePlusFinishEqualsEvaluate() throws {
        let engine = engine(network: false)
        let subject = SAMessage(EngineMessages.message())
        let whole = engine.ruleset.hitNames(engine.ruleset.evaluate(subject), includingSubRules: true)
        let split = engine.ruleset.hitNames(engine.ruleset.finish(engine.ruleset.evaluateLocal(subject), adding: [:]),
                                            includingSubRules: true)
        XCTAssertEqual(whole, split)
        XCTAssertEqual(whole, ["__LOCAL", "LOCAL_BODY"])
    }
}
