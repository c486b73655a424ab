import Foundation
import MIME
import MoatCore
import SpamEngine
import XCTest
@testable import Filter

/// What the spam checker learns of a message's recipients for per-user Bayes.
final class BayesRecipientUsersTests: XCTestCase {
    /// Records the users it was asked about.
    final class RecordingSpamChecker: SpamChecker, @unchecked Sendable {
        var users: [String]?
        func check(_ message: MIMEMessage, envelopeSender: String?) async throws -> SpamVerdict { .empty }
        func check(_ message: MIMEMessage, envelopeSender: String?, users: [String]) async throws -> SpamVerdict {
            self.users = users
            return .empty
        }
    }

    private func address(_ text: String) throws -> EmailAddress { try XCTUnwrap(EmailAddress(parsing: text)) }

    func testTheGatewayMapsEachAddressToItsUserWithoutExtension() async throws {
        let mapping = EnvelopeBayesUsers(recipientDelimiter: "+-")
        let users = await mapping.users(for: [
            try address("Alice+News@Example.COM"), try address("bob-lists@example.com"), try address("carol@example.com"),
            try address("+odd@example.com"), .null,
        ])
        // A leading delimiter is no extension (Postfix keeps `+odd`).
        XCTAssertEqual(users, ["alice@example.com", "bob@example.com", "carol@example.com", "+odd@example.com"])
    }

    func testTheCheckerPassesMappedRecipientsOnlyWhenPerUserIsOn() async throws {
        let spam = RecordingSpamChecker()
        var checker = ContentChecker(virusScanner: nil, banned: nil, spam: spam, levels: SpamLevels(tag: 2, tag2: 6, kill: 10))
        let message = MIMEMessage.parse(TestMessages.plain())
        _ = try await checker.check(message, envelopeSender: "s@example.org", recipients: [try address("Alice+x@example.com")])
        XCTAssertEqual(spam.users, [], "per-user Bayes off: no users")
        checker.bayesUsers = EnvelopeBayesUsers(recipientDelimiter: "+")
        _ = try await checker.check(message, envelopeSender: "s@example.org", recipients: [try address("Alice+x@example.com")])
        XCTAssertEqual(spam.users, ["alice@example.com"])
    }
}
