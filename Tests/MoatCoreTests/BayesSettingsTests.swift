import XCTest
@testable import MoatCore

/// `[bayes] per_user`: off by default, refused with its line where it cannot work.
final class BayesSettingsTests: XCTestCase {
    func testPerUserIsOffByDefaultAndItsDirectoryIsBesideTheSiteDatabase() throws {
        XCTAssertFalse(try MoatConfig.parse("", file: "moat.toml").bayes.perUser)
        let c = try MoatConfig.parse("[bayes]\ndatabase = \"/var/lib/moat/bayes.sqlite\"\nper_user = true\n", file: "moat.toml")
        XCTAssertTrue(c.bayes.perUser)
        XCTAssertEqual(c.bayes.userDirectory, "/var/lib/moat/bayes-users")
    }

    func testPerUserWithBayesDisabledIsRefusedWithItsLine() {
        do {
            _ = try MoatConfig.parse("[bayes]\nenabled = false\n\nper_user = true\n", file: "moat.toml")
            XCTFail("expected a configuration issue")
        } catch {
            XCTAssertEqual(error.issues.map(\.description), [
                "moat.toml:4: [bayes] per_user: needs enabled = true (per-user databases are Bayes databases)",
            ])
        }
    }
}
