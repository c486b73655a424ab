import Directory
import Foundation
import MailAccess
import MoatCore
import XCTest

/// Logins against a real directory database.
final class MailLoginTests: XCTestCase {
    private var root = ""
    private var store: DirectoryStore!
    private let pool = BlockingWorkPool(name: "test-login", threads: 1)

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "moat-login-\(UUID().uuidString)"
        store = try DirectoryStore(path: root + "/directory.sqlite")
        try store.addDomain("example.com")
        try store.addMailbox("alice@example.com", password: Array("sesame".utf8))
    }

    override func tearDownWithError() throws {
        store = nil
        try? FileManager.default.removeItem(atPath: root)
    }

    private func login(_ gate: MailLogin, _ password: String, service: MailAccessService = .imap,
                       peer: String = "192.0.2.7") async -> MailLogin.Outcome {
        await gate.login(user: "alice@example.com", password: Array(password.utf8), service: service, peer: peer)
    }

    func testSuccessFailureAndService() async throws {
        let gate = MailLogin(directory: store, pool: pool,
                             settings: .init(penalty: .init(initial: .milliseconds(10), maximum: .milliseconds(40))))
        guard case .success(let mailbox) = await login(gate, "sesame") else { return XCTFail("login failed") }
        XCTAssertEqual(mailbox.address, "alice@example.com")
        let wrong = await login(gate, "open")
        XCTAssertEqual(wrong, .failed)
        let penalty = await gate.currentPenalty(for: "192.0.2.7")
        XCTAssertEqual(penalty, .milliseconds(10))
        try store.setAccess("alice@example.com", service: .pop3, allowed: false)
        let pop3 = await login(gate, "sesame", service: .pop3)
        XCTAssertEqual(pop3, .failed, "POP3 denied looks like a wrong password")
    }

    /// The penalty is served before the answer: a guesser's tenth try waits the maximum.
    func testPenaltyDelaysTheAnswer() async throws {
        let gate = MailLogin(directory: store, pool: pool,
                             settings: .init(penalty: .init(initial: .milliseconds(50), maximum: .milliseconds(200))))
        for _ in 0..<4 { _ = await login(gate, "guess") }
        let clock = ContinuousClock()
        let elapsed = await clock.measure { _ = await login(gate, "guess") }
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(200))
        let elsewhere = await clock.measure { _ = await login(gate, "guess", peer: "198.51.100.1") }
        XCTAssertLessThan(elsewhere, .milliseconds(150))
        // The penalty is the address's, whatever the protocol (one table, as Dovecot's auth).
        let viaPOP3 = await clock.measure { _ = await login(gate, "guess", service: .pop3) }
        XCTAssertGreaterThanOrEqual(viaPOP3, .milliseconds(200))
    }

    func testSessionsPerUserAndAddressAreCapped() async throws {
        let gate = MailLogin(directory: store, pool: pool, settings: .init(maxSessionsPerUserAddress: [.imap: 2]))
        for _ in 0..<2 {
            guard case .success = await login(gate, "sesame") else { return XCTFail("login failed") }
        }
        let third = await login(gate, "sesame")
        XCTAssertEqual(third, .tooManySessions)
        guard case .success = await login(gate, "sesame", peer: "192.0.2.8") else { return XCTFail("other address") }
        guard case .success = await login(gate, "sesame", service: .pop3) else { return XCTFail("other service") }
        await gate.endSession(user: "alice@example.com", service: .imap, peer: "192.0.2.7")
        guard case .success = await login(gate, "sesame") else { return XCTFail("slot given back") }
    }
}
