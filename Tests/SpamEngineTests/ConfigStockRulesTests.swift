import XCTest
@testable import SpamEngine

/// Loads Debian's SpamAssassin 4.0.1 rules (`spamassassin` package), skipped when absent.
final class ConfigStockRulesTests: XCTestCase {
    static let directory = "/usr/share/spamassassin"

    func testLoadsStockRules() throws {
        guard FileManager.default.fileExists(atPath: Self.directory + "/50_scores.cf") else {
            throw XCTSkip("SpamAssassin rules not installed at \(Self.directory)")
        }
        let start = ContinuousClock.now
        let config = RuleLoader.load(directories: [Self.directory], pluginsAvailable: RuleLoader.nativePlugins)
        let elapsed = ContinuousClock.now - start
        print("stock rules: \(config.rules.count) rules \(config.countsByKind) in \(elapsed); "
            + "\(config.diagnostics.filter { $0.severity == .error }.count) errors, "
            + "\(config.diagnostics.filter { $0.severity == .warning }.count) warnings")

        XCTAssertGreaterThan(config.rules.count, 1500)
        // The only errors are patterns beyond PCRE2's compiled-size limit (LINK_SIZE=2,
        // 64 KiB of compiled code): a few huge ReplaceTags/quantified sub-rules in 72_active.cf.
        let errors = config.diagnostics.filter { $0.severity == .error }
        XCTAssertLessThanOrEqual(errors.count, 8)
        for error in errors {
            XCTAssertTrue(error.message.contains("regular expression is too large"), error.description)
        }
        let unknown = config.diagnostics.filter { $0.message.hasPrefix("unknown directive") }
        XCTAssertEqual(unknown, [])

        let gtube = try XCTUnwrap(config.rules["GTUBE"])
        XCTAssertEqual(gtube.kind, .body)
        XCTAssertEqual(gtube.scores, [1000])
        if case .regex(let re) = gtube.test {
            XCTAssertTrue(re.pattern.hasPrefix("XJS\\*C4JDBQADN1"))
        } else {
            XCTFail("GTUBE is not a regex rule")
        }
        let base64 = try XCTUnwrap(config.rules["FROM_EXCESS_BASE64"])
        XCTAssertEqual(base64.kind, .meta)
        XCTAssertEqual(base64.scores, [0.001])
        XCTAssertEqual(config.rules["DRUGS_ERECTILE"]?.kind, .meta)
        XCTAssertEqual(config.rules["DRUGS_ERECTILE"]?.scores, [1.778, 2.221, 1.299, 1.994])
        XCTAssertEqual(config.rules["URI_NOVOWEL"]?.kind, .uri)
        XCTAssertEqual(config.rules["URI_NOVOWEL"]?.scores, [0.5])
        XCTAssertEqual(config.rules["SUBJ_ALL_CAPS"]?.test, .eval(EvalCall(function: "subject_is_all_caps", arguments: [])))
        XCTAssertEqual(config.rules["SUBJ_ALL_CAPS"]?.describe, "Subject is all capitals")
        XCTAssertEqual(config.requiredScore, 5.0)
        XCTAssertFalse(config.directives["util_rb_2tld", default: []].isEmpty)
        XCTAssertFalse(config.directives["uridnsbl_skip_domain", default: []].isEmpty)
    }
}
