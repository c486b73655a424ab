import MailAccess
import XCTest

/// The lines fail2ban's stock `dovecot` filter matches.
final class LoginLogLineTests: XCTestCase {
    func testDovecotShapedLines() {
        let line = LoginLogLine(service: "imap", user: "alice@example.com", method: "PLAIN", remoteAddress: "192.0.2.7",
                                localAddress: "192.0.2.1", tls: true)
        XCTAssertEqual(line.login, "imap-login: Login: user=<alice@example.com>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1, TLS")
        XCTAssertEqual(line.authFailed(attempts: 3),
                       "imap-login: Disconnected (auth failed, 3 attempts): user=<alice@example.com>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1, TLS")
        for text in [line.authFailed(attempts: 1), LoginLogLine(service: "pop3", user: nil, method: nil, remoteAddress: "192.0.2.7",
                                                               localAddress: nil, tls: false).plaintextRefused] {
            XCTAssertEqual(fail2banAddress(text), "192.0.2.7", text)
        }
    }

    /// What fail2ban's `dovecot` filter takes as the address to ban.
    private func fail2banAddress(_ text: String) -> String? {
        let failregex = try! NSRegularExpression(pattern:
            #"(?:pop3|imap)-login: (?:Disconnected|Aborted login) \((?:auth failed, \d+ attempts|tried to use (?:disabled|disallowed) \S+ auth)\):(?: user=<[^>]*>,)?(?: method=\S+,)? rip=(\S+),"#)
        let match = failregex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        return match.map { String(text[Range($0.range(at: 1), in: text)!]) }
    }

    /// A user name from the network cannot forge a field or a line.
    func testHostileUserNameIsNeutralised() {
        let line = LoginLogLine(service: "imap", user: "x>, rip=10.0.0.1\nimap-login: Login: user=<root", method: "PLAIN",
                                remoteAddress: "192.0.2.7", localAddress: "192.0.2.1", tls: false)
        XCTAssertFalse(line.authFailed(attempts: 1).contains("\n"))
        XCTAssertEqual(fail2banAddress(line.authFailed(attempts: 1)), "192.0.2.7", "the ban hits the real client")
    }
}
