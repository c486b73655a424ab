import MoatCore
import XCTest
@testable import SMTP

/// Event/action pairs for SMTPClientTransaction, no sockets.
final class ClientTransactionTests: XCTestCase {
    typealias Action = SMTPClientTransaction.Action

    private let sender = EmailAddress(parsing: "sender@example.org")!
    private let alice = EmailAddress(parsing: "alice@example.com")!
    private let bob = EmailAddress(parsing: "bob@example.com")!
    private let client = ClientIdentity(address: "192.0.2.1", hostname: "client.example", helo: "client.example",
                                        protocolName: "ESMTP", source: "REMOTE")

    private func r(_ text: String) -> SMTPReply { replyFromWire(text) }

    private func transaction(recipients: [EmailAddress]? = nil, lmtp: Bool = false, size: Int? = 1234,
                             eightBit: Bool = false, sender: EmailAddress? = nil) -> SMTPClientTransaction {
        SMTPClientTransaction(configuration: .init(
            heloName: "moat.test", lmtp: lmtp,
            envelope: Envelope(sender: sender ?? self.sender, recipients: recipients ?? [alice, bob], client: client),
            messageSize: size, eightBitMIME: eightBit))
    }

    /// Feeds replies in order and checks the action after each.
    private func drive(_ tx: inout SMTPClientTransaction, _ steps: [(String, Action)],
                       file: StaticString = #filePath, line: UInt = #line) {
        for (index, (reply, expected)) in steps.enumerated() {
            do {
                let action = try tx.received(r(reply))
                XCTAssertEqual(action, expected, "step \(index) (\(reply))", file: file, line: line)
            } catch {
                XCTFail("step \(index) (\(reply)) threw \(error)", file: file, line: line)
                return
            }
        }
    }

    private func outcomes(_ result: SMTPDeliveryResult?) -> [String] {
        (result?.perRecipient ?? []).map { "\($0.recipient) \($0.reply.code)" }
    }

    func testPlainSMTPWithoutPipelining() {
        var tx = transaction()
        drive(&tx, [
            ("220 mx ESMTP", .send(["EHLO moat.test"])),
            ("250-mx\n250-SIZE 10240000\n250 8BITMIME", .send(["MAIL FROM:<sender@example.org> SIZE=1234"])),
            ("250 2.1.0 Ok", .send(["RCPT TO:<alice@example.com>"])),
            ("250 2.1.5 Ok", .send(["RCPT TO:<bob@example.com>"])),
            ("550 5.1.1 <bob@example.com>: Recipient address rejected", .send(["DATA"])),
            ("354 End data with <CR><LF>.<CR><LF>", .sendMessage),
        ])
        XCTAssertEqual(tx.expectedStage, .dataDone)
        XCTAssertNil(tx.result)
        drive(&tx, [("250 2.0.0 Ok: queued as 3F4A21C0", .quit), ("221 2.0.0 Bye", .close)])
        let result = tx.result
        XCTAssertEqual(outcomes(result), ["alice@example.com 250", "bob@example.com 550"])
        XCTAssertEqual(result?.queueID, "3F4A21C0")
        XCTAssertEqual(result?.acceptedRecipients, [alice])
        XCTAssertEqual(result?.rejectedRecipients.map(\.recipient), [bob])
        XCTAssertEqual(result?.dataReply?.code, 250)
        XCTAssertEqual(result?.dataCommandReply?.code, 354)
        XCTAssertEqual(result?.rcptReplies.map { $0?.code }, [250, 550])
        XCTAssertFalse(result?.allAccepted ?? true)
    }

    func testPipeliningWithXForward() {
        var tx = transaction(eightBit: true)
        drive(&tx, [
            ("220 mx ESMTP", .send(["EHLO moat.test"])),
            ("250-mx\n250-PIPELINING\n250-SIZE\n250-8BITMIME\n250 XFORWARD NAME ADDR PROTO HELO SOURCE",
             .send(["XFORWARD NAME=client.example ADDR=192.0.2.1 PROTO=ESMTP HELO=client.example SOURCE=REMOTE",
                    "MAIL FROM:<sender@example.org> SIZE=1234 BODY=8BITMIME",
                    "RCPT TO:<alice@example.com>", "RCPT TO:<bob@example.com>", "DATA"])),
        ])
        XCTAssertEqual(tx.expectedStage, .xforward)
        drive(&tx, [
            ("250 2.0.0 Ok", .wait),
            ("250 2.1.0 Ok", .wait),
        ])
        XCTAssertEqual(tx.expectedStage, .rcpt)
        drive(&tx, [
            ("250 2.1.5 Ok", .wait),
            ("250 2.1.5 Ok", .wait),
            ("354 go ahead", .sendMessage),
            ("250 2.0.0 Ok: queued as ABC123", .quit),
        ])
        XCTAssertEqual(outcomes(tx.result), ["alice@example.com 250", "bob@example.com 250"])
        XCTAssertEqual(tx.result?.allAccepted, true)
        XCTAssertEqual(tx.result?.queueID, "ABC123")
    }

    func testRefusedXForwardIsOnlyAWarning() {
        var tx = transaction(recipients: [alice])
        drive(&tx, [
            ("220 mx", .send(["EHLO moat.test"])),
            ("250-mx\n250 XFORWARD ADDR", .send(["XFORWARD ADDR=192.0.2.1"])),
            ("550 5.7.0 not authorized", .send(["MAIL FROM:<sender@example.org>"])),
            ("250 ok", .send(["RCPT TO:<alice@example.com>"])),
            ("250 ok", .send(["DATA"])),
            ("354 go", .sendMessage),
            ("250 ok", .quit),
        ])
        XCTAssertEqual(tx.result?.warnings.count, 1)
        XCTAssertEqual(tx.result?.acceptedRecipients, [alice])
    }

    func testHELOFallbackOn5xx() {
        var tx = transaction(recipients: [alice])
        drive(&tx, [
            ("220 old server", .send(["EHLO moat.test"])),
            ("502 5.5.2 Error: command not recognized", .send(["HELO moat.test"])),
            ("250 old server", .send(["MAIL FROM:<sender@example.org>"])),  // no SIZE without EHLO
        ])
        XCTAssertEqual(tx.capabilities, SMTPClientCapabilities())
    }

    func testEHLO4xxIsNotRetriedWithHELO() {
        var tx = transaction()
        drive(&tx, [("220 mx", .send(["EHLO moat.test"])), ("450 4.3.2 try later", .quit), ("221 bye", .close)])
        XCTAssertEqual(outcomes(tx.result), ["alice@example.com 450", "bob@example.com 450"])
    }

    func testAllRecipientsRejectedWithoutPipeliningSendsNoData() {
        var tx = transaction()
        drive(&tx, [
            ("220 mx", .send(["EHLO moat.test"])),
            ("250 mx", .send(["MAIL FROM:<sender@example.org>"])),
            ("250 ok", .send(["RCPT TO:<alice@example.com>"])),
            ("550 5.1.1 no such user", .send(["RCPT TO:<bob@example.com>"])),
            ("450 4.2.0 greylisted", .quit),
            ("221 bye", .close),
        ])
        XCTAssertEqual(outcomes(tx.result), ["alice@example.com 550", "bob@example.com 450"])
        XCTAssertNil(tx.result?.dataCommandReply)
        XCTAssertEqual(tx.result?.deferredRecipients.map(\.recipient), [bob])
    }

    func testAllRecipientsRejectedWithPipeliningDataRefused() {
        var tx = transaction(size: nil)
        drive(&tx, [
            ("220 mx", .send(["EHLO moat.test"])),
            ("250-mx\n250 PIPELINING", .send(["MAIL FROM:<sender@example.org>", "RCPT TO:<alice@example.com>",
                                              "RCPT TO:<bob@example.com>", "DATA"])),
            ("250 ok", .wait),
            ("550 no", .wait),
            ("550 no", .wait),
            ("554 5.5.1 Error: no valid recipients", .quit),
        ])
        XCTAssertEqual(outcomes(tx.result), ["alice@example.com 550", "bob@example.com 550"])
    }

    func testAllRecipientsRejectedWithPipeliningButDataAcceptedSendsLoneDot() {
        var tx = transaction(recipients: [alice], size: nil)
        drive(&tx, [
            ("220 mx", .send(["EHLO moat.test"])),
            ("250-mx\n250 PIPELINING", .send(["MAIL FROM:<sender@example.org>", "RCPT TO:<alice@example.com>", "DATA"])),
            ("250 ok", .wait),
            ("550 no", .wait),
            ("354 go ahead anyway", .send(["."])),
            ("554 no recipients", .quit),
            ("221 bye", .close),
        ])
        XCTAssertEqual(outcomes(tx.result), ["alice@example.com 550"])
    }

    func testMailRefusedWithoutPipelining() {
        var tx = transaction()
        drive(&tx, [
            ("220 mx", .send(["EHLO moat.test"])),
            ("250 mx", .send(["MAIL FROM:<sender@example.org>"])),
            ("553 5.7.1 sender rejected", .quit),
        ])
        XCTAssertEqual(outcomes(tx.result), ["alice@example.com 553", "bob@example.com 553"])
        XCTAssertEqual(tx.result?.mailReply?.code, 553)
    }

    func testMailRefusedWithPipeliningKeepsReadingAndQuits() {
        var tx = transaction(recipients: [alice], size: nil)
        drive(&tx, [
            ("220 mx", .send(["EHLO moat.test"])),
            ("250-mx\n250 PIPELINING", .send(["MAIL FROM:<sender@example.org>", "RCPT TO:<alice@example.com>", "DATA"])),
            ("451 4.3.0 try later", .wait),
            ("503 5.5.1 need MAIL", .wait),
            ("503 5.5.1 need RCPT", .quit),
        ])
        XCTAssertEqual(outcomes(tx.result), ["alice@example.com 451"])
    }

    func testDataRefusedAfterAcceptedRecipients() {
        var tx = transaction(recipients: [alice])
        drive(&tx, [
            ("220 mx", .send(["EHLO moat.test"])),
            ("250 mx", .send(["MAIL FROM:<sender@example.org>"])),
            ("250 ok", .send(["RCPT TO:<alice@example.com>"])),
            ("250 ok", .send(["DATA"])),
            ("451 4.3.0 no", .quit),
        ])
        XCTAssertEqual(outcomes(tx.result), ["alice@example.com 451"])
    }

    func testGreetingRefusedAnd421Closes() {
        var tx = transaction()
        drive(&tx, [("554 5.7.1 go away", .quit)])
        XCTAssertEqual(outcomes(tx.result), ["alice@example.com 554", "bob@example.com 554"])

        var closing = transaction()
        drive(&closing, [
            ("220 mx", .send(["EHLO moat.test"])),
            ("250 mx", .send(["MAIL FROM:<sender@example.org>"])),
            ("250 ok", .send(["RCPT TO:<alice@example.com>"])),
            ("421 4.4.2 mx Error: timeout exceeded", .close),
        ])
        XCTAssertEqual(outcomes(closing.result), ["alice@example.com 421", "bob@example.com 421"])
    }

    func testSMTPUTF8OnlyForNonASCIIAddresses() {
        let utf8 = EmailAddress(parsing: "jörg@example.com")!
        var tx = transaction(recipients: [utf8], size: nil)
        drive(&tx, [
            ("220 mx", .send(["EHLO moat.test"])),
            ("250-mx\n250 SMTPUTF8", .send(["MAIL FROM:<sender@example.org> SMTPUTF8"])),
        ])
        var ascii = transaction(recipients: [alice], size: nil, eightBit: true)
        drive(&ascii, [
            ("220 mx", .send(["EHLO moat.test"])),
            ("250-mx\n250 SMTPUTF8", .send(["MAIL FROM:<sender@example.org>"])),  // 8BITMIME not offered
        ])
        var null = transaction(recipients: [alice], size: nil, sender: .null)
        drive(&null, [("220 mx", .send(["EHLO moat.test"])), ("250 mx", .send(["MAIL FROM:<>"]))])
    }

    func testLMTPRepliesPerRecipient() {
        let carol = EmailAddress(parsing: "carol@example.com")!
        var tx = transaction(recipients: [alice, bob, carol], lmtp: true, size: nil)
        drive(&tx, [
            ("220 lmtp", .send(["LHLO moat.test"])),
            ("250-lmtp\n250-PIPELINING\n250 ENHANCEDSTATUSCODES",
             .send(["MAIL FROM:<sender@example.org>", "RCPT TO:<alice@example.com>", "RCPT TO:<bob@example.com>",
                    "RCPT TO:<carol@example.com>", "DATA"])),
            ("250 2.1.0 ok", .wait),
            ("250 2.1.5 ok", .wait),
            ("550 5.1.1 unknown", .wait),
            ("250 2.1.5 ok", .wait),
            ("354 go", .sendMessage),
            ("250 2.0.0 <alice@example.com> Saved", .wait),
            ("452 4.2.2 Mailbox full", .quit),
        ])
        XCTAssertEqual(outcomes(tx.result), ["alice@example.com 250", "bob@example.com 550", "carol@example.com 452"])
        XCTAssertEqual(tx.result?.dataReply?.code, 250)
        XCTAssertEqual(tx.result?.acceptedRecipients, [alice])
    }

    func testLMTPHasNoHELOFallback() {
        var tx = transaction(lmtp: true)
        drive(&tx, [("220 lmtp", .send(["LHLO moat.test"])), ("500 5.5.1 what", .quit)])
        XCTAssertEqual(outcomes(tx.result), ["alice@example.com 500", "bob@example.com 500"])
    }

    func testLMTPConnectionLostAfterPartialDeliveryKeepsDelivered() throws {
        var tx = transaction(lmtp: true, size: nil)
        drive(&tx, [
            ("220 lmtp", .send(["LHLO moat.test"])),
            ("250 lmtp", .send(["MAIL FROM:<sender@example.org>"])),
            ("250 ok", .send(["RCPT TO:<alice@example.com>"])),
            ("250 ok", .send(["RCPT TO:<bob@example.com>"])),
            ("250 ok", .send(["DATA"])),
            ("354 go", .sendMessage),
            ("250 2.0.0 saved", .wait),
        ])
        XCTAssertEqual(try tx.failed(.unexpectedClose(.dataDone)), .close)
        XCTAssertEqual(outcomes(tx.result), ["alice@example.com 250", "bob@example.com 451"])
    }

    func testFailureBeforeAnyDeliveryThrows() {
        var tx = transaction()
        drive(&tx, [("220 mx", .send(["EHLO moat.test"])), ("250 mx", .send(["MAIL FROM:<sender@example.org>"]))])
        XCTAssertEqual(tx.expectedStage, .mail)
        XCTAssertThrowsError(try tx.failed(.timeout(.mail))) {
            guard case .timeout(.mail) = $0 as? SMTPClientError else { return XCTFail("\($0)") }
        }
        XCTAssertNil(tx.result)
        XCTAssertThrowsError(try tx.received(r("250 late")))
    }

    func testFailureAfterResultIsIgnored() throws {
        var tx = transaction(recipients: [alice])
        drive(&tx, [
            ("220 mx", .send(["EHLO moat.test"])),
            ("250 mx", .send(["MAIL FROM:<sender@example.org>"])),
            ("250 ok", .send(["RCPT TO:<alice@example.com>"])),
            ("250 ok", .send(["DATA"])),
            ("354 go", .sendMessage),
            ("250 ok", .quit),
        ])
        XCTAssertEqual(try tx.failed(.timeout(.quit)), .close)
        XCTAssertEqual(tx.result?.acceptedRecipients, [alice])
    }

    func testProtocolViolations() {
        var positiveToData = transaction(recipients: [alice])
        drive(&positiveToData, [
            ("220 mx", .send(["EHLO moat.test"])),
            ("250 mx", .send(["MAIL FROM:<sender@example.org>"])),
            ("250 ok", .send(["RCPT TO:<alice@example.com>"])),
            ("250 ok", .send(["DATA"])),
        ])
        XCTAssertThrowsError(try positiveToData.received(r("250 ok"))) {
            guard case .protocolViolation = $0 as? SMTPClientError else { return XCTFail("\($0)") }
        }
        XCTAssertNil(positiveToData.result)

        var intermediateGreeting = transaction()
        XCTAssertThrowsError(try intermediateGreeting.received(r("354 what")))
    }

    func testQueueIDForms() {
        XCTAssertEqual(SMTPDeliveryResult.queueID(in: r("250 2.0.0 Ok: queued as 3F4A21C0")), "3F4A21C0")
        XCTAssertEqual(SMTPDeliveryResult.queueID(in: r("250 OK id=1abcde-000123-AB")), "1abcde-000123-AB")
        XCTAssertEqual(SMTPDeliveryResult.queueID(in: r("250 2.0.0 Ok: queued as 4Xyz1b2C3dz9 (mail)")), "4Xyz1b2C3dz9")
        XCTAssertNil(SMTPDeliveryResult.queueID(in: r("250 2.0.0 Ok")))
    }

    func testCapabilities() {
        let caps = SMTPClientCapabilities(ehloReply: r("250-mx\n250-pipelining\n250-SIZE 1000\n250 XFORWARD name ADDR"))
        XCTAssertTrue(caps.pipelining)
        XCTAssertEqual(caps.size, 1000)
        XCTAssertEqual(caps.xforwardAttributes, ["NAME", "ADDR"])
        XCTAssertFalse(caps.eightBitMIME)
        XCTAssertEqual(SMTPClientCapabilities(ehloReply: r("250-mx\n250 SIZE")).size, 0)
    }
}
