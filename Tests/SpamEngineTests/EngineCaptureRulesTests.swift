import MIME
import XCTest
@testable import SpamEngine

/// SpamAssassin 4's capture rules: `%{GB_TO_ADDR}` in the stock GB_CUSTOM_HTM_URI rules
/// was matched as literal text, so they never hit (csdmc2010/spam/04041: SA 5.3, Moat 4.3).
final class EngineCaptureRulesTests: XCTestCase {
    /// As in 72_active.cf.
    static let rules = ##"""
        header __GB_TO_ADDR To:addr =~ /(?<GB_TO_ADDR>.*)/
        uri __GB_CUSTOM_HTM_URI2 m;^https?://.{10,256}(?:\/\?)?(?:(?<!blocker)email=|audit\#|wapp\#)%{GB_TO_ADDR};i
        meta GB_CUSTOM_HTM_URI __GB_CUSTOM_HTM_URI2
        score GB_CUSTOM_HTM_URI 1
        """##

    static func message(to: String?, link: String) -> String {
        "From: a@example.com\r\n" + (to.map { "To: \($0)\r\n" } ?? "") + "Subject: hello\r\n\r\n"
            + "Please confirm at http://78f.sqopacin.cn/?uoceywud=hibody&email=\(link) today.\r\n"
    }

    private func hits(_ text: String) async throws -> [String] {
        let dir = try EngineRulesDirectory(Self.rules)
        defer { dir.remove() }
        let engine = RuleEngine(directories: [dir.path], settings: RuleEngineSettings(useNetwork: false))
        return await engine.scan(MIMEMessage.parse(Array(text.utf8))).verdict.hits.map { $0.name }
    }

    /// `spamassassin -t` with the stock rules on each message: GB_CUSTOM_HTM_URI hits on the
    /// first and last only (the captured address is quotemeta'd: "+" is no quantifier).
    func testTemplateFilledFromTheCapturedRecipient() async throws {
        let cases: [(to: String?, link: String, hits: Bool)] = [
            ("hibody@csmining.org", "hibody@csmining.org", true),
            ("other@csmining.org", "hibody@csmining.org", false),
            ("a+b@csmining.org", "aab@csmining.org", false),
            ("a+b@csmining.org", "a+b@csmining.org", true),
            (nil, "hibody@csmining.org", false),
        ]
        for c in cases {
            let got = try await hits(Self.message(to: c.to, link: c.link))
            XCTAssertEqual(got, c.hits ? ["GB_CUSTOM_HTM_URI"] : [], "\(c)")
        }
    }

    func testTemplateNamesAndTagGroups() {
        XCTAssertEqual(CaptureRules.templateNames("a%{X_1}b\\%{Y}%{X_1}%{lower}"), ["X_1"])
        XCTAssertEqual(CaptureRules.tagGroups("(a)(?:b)(?<low>c)(?P<TAG>d)[(](?'T2'e)(?<=f)").map(\.name), ["TAG", "T2"])
        XCTAssertEqual(CaptureRules.tagGroups("(a)(?:b)(?<low>c)(?P<TAG>d)[(](?'T2'e)(?<=f)").map(\.group), [3, 4])
        XCTAssertEqual(CaptureRules.substitute("x%{T}y", tags: ["T": [Array("a.b".utf8), Array("c".utf8)]]), "x(?:a\\.b|c)y")
        XCTAssertNil(CaptureRules.substitute("x%{T}y", tags: [:]))
    }
}
