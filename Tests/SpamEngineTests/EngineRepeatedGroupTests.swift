import Foundation
import MIME
import PCRE
import XCTest
@testable import SpamEngine

/// Rules PCRE2 finds too large to compile (a big group under a fixed repeat) still run, as
/// they do in Perl: SpamAssassin's `__FILL_THIS_FORM_LONG1/2` (`(?:<FF_YOUR><FF_ALL>…){5}`)
/// never hit in Moat before, so FILL_THIS_FORM_LONG and FILL_THIS_FORM did not either.
final class EngineRepeatedGroupTests: XCTestCase {
    /// A group of 3,000 alternatives repeated five times: over PCRE2's 64 kB when copied.
    static let words = (1...3000).map { "w\($0)x" }
    static let pattern = "(?:(?:" + words.joined(separator: "|") + ")\\s?){5}"

    func testTooLargeRepeatIsDefinedOnceAndMatchesAsPerlDoes() throws {
        XCTAssertThrowsError(try PCRERegex(Self.pattern)) { error in
            XCTAssertEqual((error as? PCREError)?.code, PerlRegexTranslation.patternTooLarge)
        }
        let regex = try PerlRegexTranslation.compile(PerlRegex(pattern: Self.pattern, flags: "i"))
        XCTAssertTrue(regex.matches("a W1X w2x w3000x w17x w9x b"))
        XCTAssertFalse(regex.matches("w1x w2x w3x w4x"))
        XCTAssertFalse(regex.matches("w1x w2x w3x w4x,w5x"))
    }

    func testRewriteLeavesBackReferencesAndInlineScopesAlone() {
        XCTAssertNil(RepeatedGroupRewrite.rewrite("(a)(?:b\\1){5}", extended: false))
        XCTAssertNil(RepeatedGroupRewrite.rewrite("x(?i:(?:b){5})", extended: false))
        XCTAssertNil(RepeatedGroupRewrite.rewrite("(?:b)+", extended: false))
        XCTAssertEqual(RepeatedGroupRewrite.rewrite("(?i)a(?:b[)(]c){2,3}d", extended: false),
                       "(?i)a(?&moatrep1){2,3}d(?(DEFINE)(?<moatrep1>b[)(]c))")
    }

    /// The stock `__FILL_THIS_FORM_LONG2` with the stock replace tags, on a form SA 4.0.1
    /// hits (`spamassassin -t` with the same rules: `__FILL_THIS_FORM_LONG2` = 1).
    func testStockFillThisFormLongRuleHits() async throws {
        let stock = "/usr/share/spamassassin/72_active.cf"
        let cf = try stockFile(stock)
        let lines = cf.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let tags = lines.filter { $0.hasPrefix("replace_tag ") }
        let rule = try XCTUnwrap(lines.first { $0.hasPrefix("body") && $0.contains("__FILL_THIS_FORM_LONG2 ") })
        let rules = tags.joined(separator: "\n") + "\n" + rule + "\nreplace_rules __FILL_THIS_FORM_LONG2\n"
            + "meta FORM_LONG __FILL_THIS_FORM_LONG2\nscore FORM_LONG 1\n"
        let dir = try EngineRulesDirectory(rules)
        defer { dir.remove() }
        let engine = RuleEngine(directories: [dir.path], settings: RuleEngineSettings(useNetwork: false))
        XCTAssertFalse(engine.unimplemented.contains("__FILL_THIS_FORM_LONG2"))
        let message = "From: a@example.com\r\nTo: b@example.org\r\nSubject: form\r\n\r\nFill out the form below.\r\n\r\n"
            + "Name* Web Address Company Name* State* Business Phone* Home Phone Email Address* Type of Business\r\n"
        let verdict = await engine.scan(MIMEMessage.parse(Array(message.utf8))).verdict
        XCTAssertEqual(verdict.hits.map(\.name), ["FORM_LONG"])
    }

    private func stockFile(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw XCTSkip("\(path) not installed") }
        return text
    }
}
