@testable import IMAPServer
import XCTest

/// LIST patterns (RFC 9051 §6.3.9): `*` crosses the separator, `%` does not; cost stays
/// linear in pattern × name whatever the wildcards.
final class MailboxPatternTests: XCTestCase {
    private func matches(_ pattern: String, _ name: String, reference: String = "") -> Bool {
        MailboxPattern(reference: reference, pattern: pattern).matches(name)
    }

    func testWildcards() {
        XCTAssertTrue(matches("*", "Work.2024.Q1"))
        XCTAssertTrue(matches("%", "Work"))
        XCTAssertFalse(matches("%", "Work.2024"))
        XCTAssertTrue(matches("Work.%", "Work.2024"))
        XCTAssertFalse(matches("Work.%", "Work.2024.Q1"))
        XCTAssertTrue(matches("Work*", "Work.2024.Q1"))
        XCTAssertTrue(matches("W%k.*1", "Work.2024.Q1"))
        XCTAssertFalse(matches("W%k", "Wo.rk"))
        XCTAssertTrue(matches("inbox", "INBOX"))
        XCTAssertTrue(matches("%", "Work.2024", reference: "Work."))
        XCTAssertFalse(matches("Work", "Work.2024"))
        XCTAssertTrue(matches("", ""))
    }

    /// `*a*a*…*b` against a long run of `a`: exponential for a backtracking matcher.
    func testAdversarialPatternIsFast() {
        let pattern = String(repeating: "*a", count: 40) + "b"
        let name = String(repeating: "a", count: 250)
        let clock = ContinuousClock()
        var result = true
        let elapsed = clock.measure { result = matches(pattern, name) }
        XCTAssertFalse(result)
        XCTAssertLessThan(elapsed, .milliseconds(500))
        let hostile = String(repeating: "%*", count: 30_000)
        XCTAssertLessThan(clock.measure { _ = matches(hostile, name) }, .seconds(1))
    }
}
