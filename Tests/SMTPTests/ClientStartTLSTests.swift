import MoatCore
import XCTest
@testable import SMTP

/// STARTTLS in the client transaction (events and actions, no sockets), the stage that
/// decided each recipient, and the plaintext-injection guard over a real socket.
final class ClientStartTLSTests: XCTestCase {
    typealias Action = SMTPClientTransaction.Action

    private let sender = EmailAddress(parsing: "sender@example.org")!
    private let alice = EmailAddress(parsing: "alice@example.com")!
    private let bob = EmailAddress(parsing: "bob@example.com")!

    private func r(_ text: String) -> SMTPReply { replyFromWire(text) }

    private func transaction(startTLS: Bool) -> SMTPClientTransaction {
        SMTPClientTransaction(configuration: .init(
            heloName: "moat.test", envelope: Envelope(sender: sender, recipients: [alice, bob]), messageSize: 10,
            usePipelining: false, useXForward: false, startTLS: startTLS))
    }

    func testUpgradeThenGreetAgainAndForgetTheOldCapabilities() throws {
        var tx = transaction(startTLS: true)
        XCTAssertEqual(try tx.received(r("220 mx ESMTP")), .send(["EHLO moat.test"]))
        XCTAssertEqual(try tx.received(r("250-mx\n250-SIZE 1000\n250 STARTTLS")), .send(["STARTTLS"]))
        XCTAssertEqual(tx.expectedStage, .startTLS)
        XCTAssertEqual(try tx.received(r("220 2.0.0 Ready to start TLS")), .startTLS)
        XCTAssertEqual(tx.expectedStage, .tlsHandshake)
        XCTAssertEqual(try tx.tlsEstablished(), .send(["EHLO moat.test"]))
        XCTAssertEqual(tx.capabilities, SMTPClientCapabilities(), "RFC 3207 §4.2: forget the pre-TLS EHLO")
        // STARTTLS is offered again inside TLS (some servers do): not sent twice. No SIZE
        // this time, so none is sent: the first EHLO's answer is gone.
        XCTAssertEqual(try tx.received(r("250-mx\n250 STARTTLS")), .send(["MAIL FROM:<sender@example.org>"]))
        XCTAssertEqual(try tx.received(r("250 2.1.0 Ok")), .send(["RCPT TO:<alice@example.com>"]))
        XCTAssertEqual(try tx.received(r("250 2.1.5 Ok")), .send(["RCPT TO:<bob@example.com>"]))
        XCTAssertEqual(try tx.received(r("550 5.1.1 No such user")), .send(["DATA"]))
        XCTAssertEqual(try tx.received(r("354 go")), .sendMessage)
        XCTAssertEqual(try tx.received(r("250 2.0.0 Ok")), .quit)
        XCTAssertEqual(tx.result?.usedTLS, true)
        XCTAssertEqual(tx.result?.stages, [.dataDone, .rcpt])
    }

    func testRefusedSTARTTLSContinuesInPlaintext() throws {
        var tx = transaction(startTLS: true)
        _ = try tx.received(r("220 mx ESMTP"))
        _ = try tx.received(r("250-mx\n250-SIZE 1000\n250 STARTTLS"))
        // The capabilities of the plaintext EHLO still hold: SIZE is used.
        XCTAssertEqual(try tx.received(r("454 4.7.0 TLS not available")),
                       .send(["MAIL FROM:<sender@example.org> SIZE=10"]))
        _ = try tx.received(r("250 Ok"))
        _ = try tx.received(r("250 Ok"))
        _ = try tx.received(r("250 Ok"))
        _ = try tx.received(r("354 go"))
        XCTAssertEqual(try tx.received(r("250 Ok")), .quit)
        XCTAssertEqual(tx.result?.usedTLS, false)
        XCTAssertEqual(tx.result?.warnings, ["STARTTLS refused: 454 4.7.0 TLS not available"])
    }

    func testNotAskedForNotSent() throws {
        var tx = transaction(startTLS: false)
        _ = try tx.received(r("220 mx ESMTP"))
        XCTAssertEqual(try tx.received(r("250-mx\n250 STARTTLS")), .send(["MAIL FROM:<sender@example.org>"]))
    }

    func testReplyDuringTheHandshakeIsAViolationAnd421Closes() throws {
        var tx = transaction(startTLS: true)
        _ = try tx.received(r("220 mx ESMTP"))
        _ = try tx.received(r("250-mx\n250 STARTTLS"))
        XCTAssertEqual(try tx.received(r("220 go")), .startTLS)
        XCTAssertThrowsError(try tx.received(r("250 early"))) { error in
            guard case .protocolViolation = error as? SMTPClientError else { return XCTFail("\(error)") }
        }

        var closing = transaction(startTLS: true)
        _ = try closing.received(r("220 mx ESMTP"))
        _ = try closing.received(r("250-mx\n250 STARTTLS"))
        XCTAssertEqual(try closing.received(r("421 4.3.2 shutting down")), .close)
        XCTAssertEqual(closing.result?.stages, [.startTLS, .startTLS])
    }

    func testStagesOfSessionWideReplies() throws {
        var greeting = transaction(startTLS: false)
        XCTAssertEqual(try greeting.received(r("554 5.7.1 go away")), .quit)
        XCTAssertEqual(greeting.result?.stages, [.greeting, .greeting])

        var mail = transaction(startTLS: false)
        _ = try mail.received(r("220 mx"))
        _ = try mail.received(r("250 mx"))
        XCTAssertEqual(try mail.received(r("451 4.3.0 try later")), .quit)
        XCTAssertEqual(mail.result?.stages, [.mail, .mail])
    }

    /// Bytes sent with the 220 to STARTTLS would be read as if they came inside TLS
    /// (CVE-2011-0411): the client refuses to go on.
    func testPlaintextAfterThe220IsRefused() async throws {
        let server = try ClientScriptedServer { event in
            switch event {
            case .connected: return "220 mx ESMTP\r\n"
            case .command(let line):
                if line.hasPrefix("EHLO") { return "250-mx\r\n250 STARTTLS\r\n" }
                if line == "STARTTLS" { return "220 2.0.0 Ready\r\n250 2.1.0 injected\r\n" }
                return nil
            case .endOfData: return nil
            }
        }
        var options = SMTPClientOptions(heloName: "moat.test", connectTimeout: .seconds(5), commandTimeout: .seconds(5))
        options.tls = try SMTPClientTLS.opportunistic()
        do {
            let result = try await SMTPClient.deliver(to: "127.0.0.1", port: server.port,
                                                      envelope: Envelope(sender: sender, recipients: [alice]),
                                                      message: Array("Subject: x\r\n\r\nbody\r\n".utf8), options: options)
            XCTFail("expected a failure, got \(result.perRecipient)")
        } catch {
            guard case .protocolViolation(let text) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("STARTTLS"), text)
        }
        XCTAssertEqual(server.receivedText, "EHLO moat.test\r\nSTARTTLS\r\n")
    }
}
