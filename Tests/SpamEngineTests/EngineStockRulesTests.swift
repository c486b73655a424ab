import Foundation
import MoatCore
import XCTest
@testable import SpamEngine

/// The engine over SpamAssassin's stock rules (Debian `spamassassin`): the DNSBL, URIBL
/// and Bayes rules are implemented once the network and Bayes are on.
final class EngineStockRulesTests: XCTestCase {
    static let stock = "/usr/share/spamassassin"

    func testNetworkAndBayesRulesAreImplemented() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.stock + "/25_uribl.cf"), "stock rules not installed")
        let rules = NSTemporaryDirectory() + "moat-engine-psl-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: rules) }
        try FileManager.default.createDirectory(atPath: rules + "/data", withIntermediateDirectories: true)
        try "com\nnet\norg\n".write(toFile: rules + "/data/public_suffix_list.dat", atomically: true, encoding: .utf8)
        var bayes = BayesSettings()
        bayes.database = rules + "/bayes.sqlite"
        var dns = DNSSettings()
        dns.servers = ["127.0.0.1:9"]
        let engine = RuleEngine(directories: [Self.stock, rules],
                                settings: RuleEngineSettings(useNetwork: true, dns: dns, bayes: bayes))
        for name in ["RCVD_IN_PBL", "RCVD_IN_SBL", "RCVD_IN_XBL", "URIBL_BLACK", "URIBL_DBL_SPAM", "BAYES_99", "BAYES_00"] {
            XCTAssertFalse(engine.unimplemented.contains(name), name)
        }
        let network = try XCTUnwrap(engine.bayesRuleset).activeEvals(calling: NetworkEvals.functions).map(\.name)
        XCTAssertTrue(network.contains("URIBL_BLACK"))
        XCTAssertTrue(network.contains("RCVD_IN_SBL"))
    }
}
