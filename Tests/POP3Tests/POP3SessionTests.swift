import Foundation
import MoatCore
import POP3
import XCTest

/// The session as pairs of client line and expected actions, without sockets.
final class POP3SessionTests: XCTestCase {
    private let listing = [POP3Listing(uidl: "000000010000abcd", size: 120), POP3Listing(uidl: "000000020000abcd", size: 300)]

    private func session(plaintext: Bool = true, tls: Bool = false, stls: Bool = true) -> POP3Session {
        POP3Session(settings: .init(offersSTLS: stls), plaintextAllowed: plaintext, tlsActive: tls)
    }

    private func replies(_ actions: [POP3Session.Action]) -> [String] {
        actions.map { action in
            switch action {
            case .send(let bytes): String(decoding: bytes, as: UTF8.self)
            case .startTLS(let reply): "STARTTLS " + String(decoding: reply, as: UTF8.self)
            case .login(let user, let password, let method): "LOGIN \(user) \(String(decoding: password, as: UTF8.self)) \(method)"
            case .retrieve(let index, let lines): "RETRIEVE \(index) \(lines.map(String.init) ?? "all")"
            case .commit(let deleting, let retrieved): "COMMIT \(deleting) \(retrieved)"
            case .close: "CLOSE"
            }
        }
    }

    private func say(_ s: inout POP3Session, _ line: String) -> [String] {
        replies(s.received(line: ArraySlice(line.utf8)))
    }

    private func loggedIn() -> POP3Session {
        var s = session()
        _ = say(&s, "USER alice@example.com")
        _ = say(&s, "PASS sesame")
        _ = s.loginSucceeded(user: "alice@example.com", messages: listing)
        return s
    }

    func testUserPassThenTransaction() {
        var s = session()
        XCTAssertEqual(replies([s.greeting()]), ["+OK ready.\r\n"])
        XCTAssertEqual(say(&s, "user alice@example.com"), ["+OK\r\n"])
        XCTAssertEqual(say(&s, "PASS open sesame"), ["LOGIN alice@example.com open sesame PLAIN"], "spaces belong to the password")
        XCTAssertEqual(replies(s.loginSucceeded(user: "alice@example.com", messages: listing)), ["+OK Logged in.\r\n"])
        XCTAssertEqual(say(&s, "STAT"), ["+OK 2 420\r\n"])
        XCTAssertEqual(say(&s, "LIST"), ["+OK 2 messages:\r\n1 120\r\n2 300\r\n.\r\n"])
        XCTAssertEqual(say(&s, "UIDL 2"), ["+OK 2 000000020000abcd\r\n"])
        XCTAssertEqual(say(&s, "RETR 1"), ["RETRIEVE 0 all"])
        XCTAssertEqual(say(&s, "TOP 2 5"), ["RETRIEVE 1 5"])
        XCTAssertEqual(say(&s, "DELE 2"), ["+OK Marked to be deleted.\r\n"])
        XCTAssertEqual(say(&s, "STAT"), ["+OK 1 120\r\n"])
        XCTAssertEqual(say(&s, "RETR 2"), ["-ERR Message is deleted.\r\n"])
        XCTAssertEqual(say(&s, "UIDL"), ["+OK\r\n1 000000010000abcd\r\n.\r\n"])
        XCTAssertEqual(say(&s, "QUIT"), ["COMMIT [1] [0]"])
        XCTAssertTrue(s.isClosed)
    }

    func testRsetUndeletesAndForgetsRetrievals() {
        var s = loggedIn()
        _ = say(&s, "RETR 1")
        _ = say(&s, "DELE 1")
        XCTAssertEqual(say(&s, "RSET"), ["+OK\r\n"])
        XCTAssertEqual(say(&s, "QUIT"), ["COMMIT [] []"])
    }

    func testBadMessageNumbers() {
        var s = loggedIn()
        XCTAssertEqual(say(&s, "RETR 3"), ["-ERR There's no message 3.\r\n"])
        XCTAssertEqual(say(&s, "RETR 0"), ["-ERR There's no message 0.\r\n"])
        XCTAssertEqual(say(&s, "DELE x\u{7}y"), ["-ERR Invalid message number: x?y\r\n"])
        XCTAssertEqual(say(&s, "TOP 1 -1"), ["-ERR Invalid number of lines: -1\r\n"])
        XCTAssertEqual(say(&s, "RETR"), ["-ERR Invalid arguments: wrong number of arguments to RETR.\r\n"])
        XCTAssertEqual(say(&s, "USER bob"), ["-ERR Unknown command.\r\n"], "no second login")
    }

    /// Dovecot's disable_plaintext_auth: no USER or SASL PLAIN in CAPA, and an [AUTH] refusal.
    func testPlaintextRefusedWithoutTLS() {
        var s = session(plaintext: false)
        XCTAssertEqual(say(&s, "CAPA"), ["+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\n.\r\n"])
        XCTAssertEqual(say(&s, "USER alice@example.com"),
                       ["-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n"])
        XCTAssertEqual(say(&s, "AUTH PLAIN AGFsaWNlAHB3"),
                       ["-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n"])
        XCTAssertEqual(say(&s, "STLS"), ["STARTTLS +OK Begin TLS negotiation now.\r\n"])
        s.tlsStarted(plaintextAllowed: true)
        XCTAssertEqual(say(&s, "CAPA"), ["+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nUSER\r\nSASL PLAIN\r\n.\r\n"])
        XCTAssertEqual(say(&s, "STLS"), ["-ERR TLS is not available.\r\n"], "not twice")
    }

    func testSASLPlainWithAndWithoutInitialResponse() {
        let response = Data("\u{0}alice@example.com\u{0}sesame".utf8).base64EncodedString()
        var s = session()
        XCTAssertEqual(say(&s, "AUTH PLAIN \(response)"), ["LOGIN alice@example.com sesame PLAIN"])
        var t = session()
        XCTAssertEqual(say(&t, "AUTH PLAIN"), ["+ \r\n"])
        XCTAssertTrue(t.expectsSASLResponse)
        XCTAssertEqual(say(&t, response), ["LOGIN alice@example.com sesame PLAIN"])
        var u = session()
        _ = say(&u, "AUTH PLAIN")
        XCTAssertEqual(say(&u, "*"), ["-ERR Authentication aborted by client.\r\n"])
        XCTAssertEqual(say(&u, "AUTH PLAIN !!!"), ["-ERR Invalid base64 data in continued response.\r\n"])
        XCTAssertEqual(say(&u, "AUTH CRAM-MD5"), ["-ERR Unsupported authentication mechanism.\r\n"])
        XCTAssertEqual(say(&u, "AUTH"), ["+OK\r\nPLAIN\r\n.\r\n"])
    }

    func testFailedLoginsCloseAfterTheThird() {
        var s = session()
        for attempt in 1...3 {
            _ = say(&s, "USER alice@example.com")
            XCTAssertEqual(say(&s, "PASS wrong"), ["LOGIN alice@example.com wrong PLAIN"])
            let expected = ["-ERR [AUTH] Authentication failed.\r\n"] + (attempt == 3 ? ["CLOSE"] : [])
            XCTAssertEqual(replies(s.loginFailed(.credentials)), expected)
        }
        XCTAssertTrue(s.isClosed)
        var t = session()
        _ = say(&t, "USER a@b.c")
        _ = say(&t, "PASS x")
        XCTAssertEqual(replies(t.loginFailed(.inUse)), ["-ERR [IN-USE] Maximum number of connections from user+IP exceeded.\r\n"])
        XCTAssertEqual(say(&t, "PASS x"), ["-ERR No username given.\r\n"])
    }

    func testTooManyBadCommandsCloses() {
        var s = session()
        var last: [String] = []
        for _ in 0..<20 { last = say(&s, "BOGUS") }
        XCTAssertEqual(last, ["-ERR Too many bad commands.\r\n", "CLOSE"])
        XCTAssertTrue(s.isClosed)
        XCTAssertEqual(say(&s, "CAPA"), [])
    }

    /// Every line of a fuzzed mix, at any state, gets an answer or a deliberate silence; no crash.
    func testFuzzedLinesNeverCrash() {
        var generator = SplitMix64(seed: 1939)  // deterministic: a failure replays
        let words = ["USER", "PASS", "AUTH", "PLAIN", "STAT", "LIST", "RETR", "DELE", "TOP", "UIDL", "QUIT", "RSET",
                     "CAPA", "STLS", "NOOP", "1", "0", "-1", "999999999999999999999", "*", "\u{0}", "é", ""]
        for round in 0..<200 {
            var s = round % 2 == 0 ? loggedIn() : session()
            for _ in 0..<30 where !s.isClosed {
                let line = (0..<Int.random(in: 0...4, using: &generator)).map { _ in words.randomElement(using: &generator)! }
                    .joined(separator: " ")
                for action in s.received(line: ArraySlice(line.utf8)) {
                    if case .login = action { _ = s.loginFailed(.credentials) }
                }
            }
        }
    }
}
