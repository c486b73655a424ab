import MIME
import XCTest
@testable import SpamEngine

/// WLBLEval's URI host lists: PDS_OTHER_BAD_TLD (`check_uri_host_listed('SUSP_URI_NTLD')`)
/// was unimplemented, so a link to a .top host scored a point less than in SpamAssassin.
final class EvalURIHostListTests: XCTestCase {
    /// SA 4.0.1 on this message with the stock rules: PDS_OTHER_BAD_TLD hits; with
    /// `enlist_uri_host (MOATTEST) !deals.shop-now.top example.com`, check_uri_host_listed
    /// ('MOATTEST') hits too (ok.example.com), the "!" entry keeping deals.shop-now.top out.
    static let message = "From: a@example.com\r\nTo: b@example.org\r\nSubject: offer\r\n\r\n"
        + "See http://deals.shop-now.top/x and mail me at bob@other.top or visit http://ok.example.com/.\r\n"

    private func hits(_ rules: String, _ text: String = message) async throws -> [String] {
        let dir = try EngineRulesDirectory(rules)
        defer { dir.remove() }
        let engine = RuleEngine(directories: [dir.path], settings: RuleEngineSettings(useNetwork: false))
        XCTAssertEqual(engine.unimplemented, [])
        return await engine.scan(MIMEMessage.parse(Array(text.utf8))).verdict.hits.map(\.name).sorted()
    }

    func testSuspiciousTLDListHitsAHostUnderIt() async throws {
        let rules = """
            enlist_uri_host (SUSP_URI_NTLD) icu online top
            header PDS_OTHER_BAD_TLD eval:check_uri_host_listed('SUSP_URI_NTLD')
            score PDS_OTHER_BAD_TLD 1
            """
        let got = try await hits(rules)
        XCTAssertEqual(got, ["PDS_OTHER_BAD_TLD"])
    }

    func testMostSpecificEntryDecidesAndMailtoIsSkipped() async throws {
        let rules = """
            enlist_uri_host (A) !deals.shop-now.top shop-now.top
            enlist_uri_host (B) example.com
            enlist_uri_host (C) other.top
            header T_A eval:check_uri_host_listed('A')
            header T_B eval:check_uri_host_listed('B')
            header T_C eval:check_uri_host_listed('C')
            score T_A 1
            score T_B 1
            score T_C 1
            """
        let got = try await hits(rules)
        XCTAssertEqual(got, ["T_B"])
    }

    func testDelistAndBlocklistShorthand() async throws {
        let rules = """
            enlist_uri_host (A) example.com shop-now.top
            delist_uri_host (A) shop-now.top example.com
            blocklist_uri_host shop-now.top
            header T_A eval:check_uri_host_listed('A')
            body URI_HOST_IN_BLOCKLIST eval:check_uri_host_in_blocklist()
            score T_A 1
            score URI_HOST_IN_BLOCKLIST 1
            """
        let got = try await hits(rules)
        XCTAssertEqual(got, ["URI_HOST_IN_BLOCKLIST"])
    }
}
