import IMAP
import IMAPServer
import XCTest

final class CommandTableTests: XCTestCase {
    func testStatesAndSequenceNumbers() {
        XCTAssertEqual(CommandRule.rule(for: .login(username: [], password: [])).states, [.notAuthenticated])
        XCTAssertEqual(CommandRule.rule(for: .capability).states, [.notAuthenticated, .authenticated, .selected])
        XCTAssertFalse(CommandRule.rule(for: .select(MailboxName("INBOX"), [])).states.contains(.notAuthenticated))
        XCTAssertEqual(CommandRule.rule(for: .expunge).states, [.selected])
    }
}
