import MoatCore
import XCTest
@testable import SMTP

/// Event/action pairs for SMTPServerSession, no sockets.
final class ServerSessionTests: XCTestCase {
    typealias Action = SMTPServerSession.Action

    private let sender = EmailAddress(parsing: "sender@example.org")!
    private let alice = EmailAddress(parsing: "alice@example.com")!
    private let bob = EmailAddress(parsing: "bob@example.com")!

    private func session(lmtp: Bool = false, maxMessageSize: Int = 1000, maxRecipients: Int = 1000,
                         hardErrorLimit: Int = 20, acceptXForward: Bool = true,
                         peer: String? = "127.0.0.1") -> SMTPServerSession {
        SMTPServerSession(settings: SMTPServerSettings(hostname: "moat.test", lmtp: lmtp, maxMessageSize: maxMessageSize,
                                                       maxRecipients: maxRecipients, hardErrorLimit: hardErrorLimit,
                                                       acceptXForward: acceptXForward),
                          peerAddress: peer, localPort: 10024)
    }

    private func send(_ s: inout SMTPServerSession, _ line: String) -> [Action] {
        s.received(line: Array(line.utf8))
    }

    /// The single reply of a command, failing when the actions are anything else.
    private func reply(_ s: inout SMTPServerSession, _ line: String, file: StaticString = #filePath,
                       line number: UInt = #line) -> SMTPReply? {
        let actions = send(&s, line)
        guard actions.count == 1, case .reply(let r) = actions[0] else {
            XCTFail("\(line): expected one reply, got \(actions)", file: file, line: number)
            return nil
        }
        return r
    }

    private func assertReply(_ s: inout SMTPServerSession, _ line: String, _ code: Int, _ enhanced: String? = nil,
                             file: StaticString = #filePath, line number: UInt = #line) {
        guard let r = reply(&s, line, file: file, line: number) else { return }
        XCTAssertEqual(r.code, code, "\(line) -> \(r)", file: file, line: number)
        if let enhanced { XCTAssertEqual(r.enhanced, enhanced, "\(line) -> \(r)", file: file, line: number) }
    }

    /// Drives MAIL/RCPT/DATA and the message up to `.deliver`.
    private func transact(_ s: inout SMTPServerSession, rcpts: [String] = ["alice@example.com"],
                          message: String = "Subject: t\r\n\r\nhi\r\n",
                          file: StaticString = #filePath, line number: UInt = #line) {
        assertReply(&s, "MAIL FROM:<sender@example.org>", 250, "2.1.0", file: file, line: number)
        for r in rcpts { assertReply(&s, "RCPT TO:<\(r)>", 250, "2.1.5", file: file, line: number) }
        XCTAssertEqual(send(&s, "DATA"), [.reply(SMTPReply(354, nil, "End data with <CR><LF>.<CR><LF>")), .beginData],
                       file: file, line: number)
        let bytes = Array(message.utf8)
        XCTAssertEqual(s.received(message: bytes, size: bytes.count), [.deliver], file: file, line: number)
    }

    // MARK: greeting, EHLO, HELO

    func testGreeting() {
        XCTAssertEqual(session().greeting(), SMTPReply(220, nil, "moat.test ESMTP"))
        XCTAssertEqual(session(lmtp: true).greeting(), SMTPReply(220, nil, "moat.test LMTP"))
    }

    func testEHLOListsExtensions() {
        var s = session(maxMessageSize: 1000)
        guard let r = reply(&s, "EHLO client.example") else { return }
        XCTAssertEqual(r.code, 250)
        XCTAssertEqual(r.lines.first, "moat.test")
        let ext = Set(r.lines.dropFirst().map { String($0.split(separator: " ").first ?? "") })
        for name in ["PIPELINING", "SIZE", "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8", "XFORWARD"] {
            XCTAssertTrue(ext.contains(name), "EHLO lacks \(name): \(r.lines)")
        }
        XCTAssertTrue(r.lines.contains("SIZE 1000"), "\(r.lines)")
        XCTAssertFalse(ext.contains("STARTTLS"))
        XCTAssertFalse(ext.contains("CHUNKING"))
        XCTAssertFalse(ext.contains("BINARYMIME"))
    }

    func testEHLOWithoutXForwardOrSizeLimit() {
        var s = session(maxMessageSize: 0, acceptXForward: false)
        guard let r = reply(&s, "EHLO client.example") else { return }
        XCTAssertFalse(r.lines.contains { $0.hasPrefix("XFORWARD") })
        XCTAssertFalse(r.lines.contains { $0.hasPrefix("SIZE") })
        assertReply(&s, "XFORWARD NAME=x", 502, "5.5.2")
    }

    func testHELO() {
        var s = session()
        XCTAssertEqual(send(&s, "HELO client.example"), [.reply(SMTPReply(250, nil, "moat.test"))])
        transact(&s)
        XCTAssertEqual(s.pendingTransaction?.protocolName, "SMTP")
        XCTAssertEqual(s.pendingTransaction?.envelope.client.helo, "client.example")
    }

    func testHELOAndEHLONeedAnArgument() {
        var s = session()
        assertReply(&s, "HELO", 501, "5.5.4")
        assertReply(&s, "EHLO", 501, "5.5.4")
    }

    // MARK: transaction

    func testHappyPathDeliversTheEnvelope() {
        var s = session(peer: "192.0.2.9")
        assertReply(&s, "EHLO client.example", 250)
        assertReply(&s, "MAIL FROM:<sender@example.org> SIZE=100 BODY=8BITMIME", 250, "2.1.0")
        assertReply(&s, "RCPT TO:<alice@example.com>", 250, "2.1.5")
        assertReply(&s, "rcpt to:<bob@example.com> NOTIFY=NEVER", 250, "2.1.5")
        XCTAssertEqual(send(&s, "DATA"), [.reply(SMTPReply(354, nil, "End data with <CR><LF>.<CR><LF>")), .beginData])
        // Commands during DATA are not the session's business (the decoder is in data mode).
        XCTAssertEqual(send(&s, "RSET"), [])
        let msg = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        XCTAssertEqual(s.received(message: msg, size: msg.count), [.deliver])
        guard let t = s.pendingTransaction else { return XCTFail("no pending transaction") }
        XCTAssertEqual(t.envelope.sender, sender)
        XCTAssertEqual(t.envelope.recipients, [alice, bob])
        XCTAssertEqual(t.message, msg)
        XCTAssertEqual(t.protocolName, "ESMTP")
        XCTAssertEqual(t.peerAddress, "192.0.2.9")
        XCTAssertEqual(t.localPort, 10024)
        XCTAssertEqual(t.body, "8BITMIME")
        XCTAssertEqual(t.envelope.client.address, "192.0.2.9")
        XCTAssertEqual(t.envelope.client.helo, "client.example")
        XCTAssertEqual(t.envelope.client.protocolName, "ESMTP")
        // Nothing is accepted while the handler works.
        XCTAssertEqual(send(&s, "NOOP"), [])
        let ok = SMTPReply(250, "2.0.0", "Ok: queued")
        XCTAssertEqual(s.deliveryFinished(.single(ok)), [.reply(ok)])
        XCTAssertNil(s.pendingTransaction)
        XCTAssertEqual(s.deliveryFinished(.single(ok)), [], "a second deliveryFinished is ignored")
        // The envelope is cleared: a new transaction can start, RCPT needs MAIL again.
        assertReply(&s, "RCPT TO:<alice@example.com>", 503, "5.5.1")
        transact(&s)
    }

    func testNullSender() {
        var s = session()
        assertReply(&s, "MAIL FROM:<>", 250)
        assertReply(&s, "RCPT TO:<alice@example.com>", 250)
        _ = send(&s, "DATA")
        XCTAssertEqual(s.received(message: [], size: 0), [.deliver])
        XCTAssertEqual(s.pendingTransaction?.envelope.sender, .null)
    }

    func testSMTPPerRecipientOutcomeGivesOneReply() {
        var s = session()
        transact(&s, rcpts: ["alice@example.com", "bob@example.com"])
        let bad = SMTPReply(550, "5.1.1", "no"), good = SMTPReply(250, "2.0.0", "Ok")
        XCTAssertEqual(s.deliveryFinished(.perRecipient([bad, good])), [.reply(good)])
        transact(&s)
        XCTAssertEqual(s.deliveryFinished(.perRecipient([bad])), [.reply(bad)])
    }

    func testXForwardSetsClientForOneTransaction() {
        var s = session(peer: "127.0.0.1")
        assertReply(&s, "EHLO localhost", 250)
        assertReply(&s, "XFORWARD NAME=client.example.test ADDR=192.0.2.1 PROTO=ESMTP", 250, "2.0.0")
        assertReply(&s, "XFORWARD HELO=helo.example SOURCE=REMOTE PORT=4711 IDENT=abc", 250, "2.0.0")
        transact(&s)
        let client = s.pendingTransaction?.envelope.client
        XCTAssertEqual(client, ClientIdentity(address: "192.0.2.1", hostname: "client.example.test",
                                              helo: "helo.example", protocolName: "ESMTP", source: "REMOTE"))
        XCTAssertEqual(s.pendingTransaction?.peerAddress, "127.0.0.1")
        _ = s.deliveryFinished(.single(SMTPReply(250, "2.0.0", "Ok")))
        // Next transaction without XFORWARD: the direct peer again.
        transact(&s)
        let next = s.pendingTransaction?.envelope.client
        XCTAssertEqual(next?.address, "127.0.0.1")
        XCTAssertNil(next?.hostname)
        XCTAssertNil(next?.source)
        XCTAssertEqual(next?.helo, "localhost")
    }

    func testXForwardXTextIPv6AndUnavailable() {
        var s = session(peer: nil)
        assertReply(&s, "EHLO localhost", 250)
        assertReply(&s, "XFORWARD NAME=[UNAVAILABLE] ADDR=IPV6:2001:db8::1 HELO=a+20b SOURCE=[TEMPUNAVAIL]", 250)
        transact(&s)
        let client = s.pendingTransaction?.envelope.client
        XCTAssertNil(client?.hostname)
        XCTAssertNil(client?.source)
        XCTAssertEqual(client?.address, "2001:db8::1")
        XCTAssertEqual(client?.helo, "a?b", "decoded, then neutered as Postfix does for HELO")
        _ = s.deliveryFinished(.single(SMTPReply(250, "2.0.0", "Ok")))

        assertReply(&s, "XFORWARD NAME=unknown ADDR=[UNAVAILABLE]", 250)
        transact(&s)
        XCTAssertNil(s.pendingTransaction?.envelope.client.hostname)
        XCTAssertNil(s.pendingTransaction?.envelope.client.address, "no peer, ADDR unavailable")
    }

    func testXForwardErrors() {
        var s = session()
        assertReply(&s, "XFORWARD BOGUS=1", 501, "5.5.4")
        assertReply(&s, "XFORWARD", 501, "5.5.4")
        assertReply(&s, "XFORWARD NAME", 501, "5.5.4")
        assertReply(&s, "MAIL FROM:<a@example.org>", 250)
        assertReply(&s, "XFORWARD NAME=x", 503, "5.5.1")
    }

    func testRSETClearsTransactionAndXForward() {
        var s = session(peer: "127.0.0.1")
        assertReply(&s, "XFORWARD ADDR=192.0.2.1", 250)
        assertReply(&s, "MAIL FROM:<a@example.org>", 250)
        assertReply(&s, "RCPT TO:<alice@example.com>", 250)
        assertReply(&s, "RSET", 250, "2.0.0")
        assertReply(&s, "DATA", 503, "5.5.1")
        assertReply(&s, "RCPT TO:<alice@example.com>", 503, "5.5.1")
        transact(&s)
        XCTAssertEqual(s.pendingTransaction?.envelope.client.address, "127.0.0.1")
        XCTAssertEqual(s.pendingTransaction?.envelope.sender, sender)
    }

    func testEHLOAlsoResetsTransaction() {
        var s = session()
        assertReply(&s, "MAIL FROM:<a@example.org>", 250)
        assertReply(&s, "EHLO again", 250)
        assertReply(&s, "MAIL FROM:<sender@example.org>", 250, "2.1.0")
    }

    // MARK: sequence errors

    func testRCPTBeforeMAIL() {
        var s = session()
        XCTAssertEqual(reply(&s, "RCPT TO:<alice@example.com>"), SMTPReply(503, "5.5.1", "Error: need MAIL command"))
    }

    func testDATABeforeMAILAndBeforeRCPT() {
        var s = session()
        assertReply(&s, "DATA", 503, "5.5.1")
        assertReply(&s, "MAIL FROM:<a@example.org>", 250)
        XCTAssertEqual(reply(&s, "DATA"), SMTPReply(503, "5.5.1", "Error: need RCPT command"))
    }

    func testNestedMAIL() {
        var s = session()
        assertReply(&s, "MAIL FROM:<a@example.org>", 250)
        assertReply(&s, "MAIL FROM:<b@example.org>", 503, "5.5.1")
    }

    // MARK: parameters

    func testSizeOverLimit() {
        var s = session(maxMessageSize: 1000)
        assertReply(&s, "MAIL FROM:<a@example.org> SIZE=1001", 552, "5.3.4")
        assertReply(&s, "MAIL FROM:<a@example.org> SIZE=abc", 501, "5.5.4")
        assertReply(&s, "MAIL FROM:<a@example.org> SIZE=-1", 501, "5.5.4")
        assertReply(&s, "MAIL FROM:<a@example.org> SIZE=1000", 250)
    }

    func testSizeUnlimited() {
        var s = session(maxMessageSize: 0)
        assertReply(&s, "MAIL FROM:<a@example.org> SIZE=999999999999", 250)
    }

    func testBodyParameter() {
        var s = session()
        assertReply(&s, "MAIL FROM:<a@example.org> BODY=BINARYMIME", 501, "5.5.4")
        assertReply(&s, "MAIL FROM:<a@example.org> BODY=7bit SMTPUTF8 RET=HDRS ENVID=x AUTH=<>", 250)
    }

    func testUnknownParameters() {
        var s = session()
        assertReply(&s, "MAIL FROM:<a@example.org> FOO=bar", 555, "5.5.4")
        assertReply(&s, "MAIL FROM:<a@example.org> SMTPUTF8=yes", 555, "5.5.4")
        assertReply(&s, "MAIL FROM:<a@example.org>", 250)
        assertReply(&s, "RCPT TO:<alice@example.com> FOO=bar", 555, "5.5.4")
        assertReply(&s, "RCPT TO:<alice@example.com> ORCPT=rfc822;alice@example.com", 250)
    }

    func testBadAddresses() {
        var s = session()
        assertReply(&s, "MAIL FROM:<not an address>", 501, "5.1.7")
        assertReply(&s, "MAIL TO:<a@example.org>", 501, "5.5.4")
        assertReply(&s, "MAIL FROM:<a@example.org>", 250)
        assertReply(&s, "RCPT TO:<>", 501, "5.1.3")
        assertReply(&s, "RCPT TO:<@route.example:alice@example.com>", 250)
    }

    // MARK: refused commands

    func testVRFY() {
        var s = session()
        XCTAssertEqual(reply(&s, "VRFY root"), SMTPReply(502, "5.5.1", "VRFY command is disabled"))
    }

    func testUnknownAndUnsupportedVerbs() {
        var s = session()
        for line in ["FOOBAR", "STARTTLS", "EXPN list", "HELP", "BDAT 10 LAST", "XCLIENT ADDR=1.2.3.4"] {
            XCTAssertEqual(reply(&s, line), SMTPReply(502, "5.5.2", "Error: command not recognized"), line)
        }
        assertReply(&s, "AUTH PLAIN xyz", 503, "5.5.1")
        assertReply(&s, "", 502, "5.5.2")
    }

    func testNULByteInCommand() {
        var s = session()
        let actions = s.received(line: Array("MAIL FROM:<a@exa".utf8) + [0] + Array("mple.org>".utf8))
        XCTAssertEqual(actions, [.reply(SMTPReply(500, "5.5.2", "Error: bad syntax"))])
        assertReply(&s, "MAIL FROM:<a@example.org>", 250)
    }

    func testOverlongLine() {
        var s = session()
        XCTAssertEqual(s.receivedOverlongLine(), [.reply(SMTPReply(500, "5.5.2", "Error: line too long"))])
        assertReply(&s, "NOOP", 250)
    }

    // MARK: limits

    func testTooManyRecipients() {
        var s = session(maxRecipients: 2)
        assertReply(&s, "MAIL FROM:<a@example.org>", 250)
        assertReply(&s, "RCPT TO:<a@example.com>", 250)
        assertReply(&s, "RCPT TO:<b@example.com>", 250)
        XCTAssertEqual(reply(&s, "RCPT TO:<c@example.com>"), SMTPReply(452, "4.5.3", "Error: too many recipients"))
        _ = send(&s, "DATA")
        XCTAssertEqual(s.received(message: [], size: 0), [.deliver])
        XCTAssertEqual(s.pendingTransaction?.envelope.recipients.count, 2)
    }

    func testOversizeMessage() {
        var s = session(maxMessageSize: 10)
        assertReply(&s, "MAIL FROM:<a@example.org>", 250)
        assertReply(&s, "RCPT TO:<a@example.com>", 250)
        _ = send(&s, "DATA")
        XCTAssertEqual(s.received(message: nil, size: 11),
                       [.reply(SMTPReply(552, "5.3.4", "Error: message file too big"))])
        XCTAssertNil(s.pendingTransaction)
        // Back in command mode with a clean envelope.
        assertReply(&s, "RCPT TO:<a@example.com>", 503)
        assertReply(&s, "NOOP", 250)
        assertReply(&s, "MAIL FROM:<a@example.org>", 250)
    }

    func testMessageOutsideDataIsIgnored() {
        var s = session()
        XCTAssertEqual(s.received(message: [1], size: 1), [])
        XCTAssertEqual(s.deliveryFinished(.single(SMTPReply(250, nil, "x"))), [])
        assertReply(&s, "NOOP", 250)
    }

    func testHardErrorLimit() {
        var s = session(hardErrorLimit: 3)
        assertReply(&s, "FOO", 502)
        assertReply(&s, "VRFY x", 502)
        let actions = send(&s, "BAR")
        XCTAssertEqual(actions, [.reply(SMTPReply(502, "5.5.2", "Error: command not recognized")),
                                 .reply(SMTPReply(421, "4.7.0", "moat.test Error: too many errors")), .close])
        XCTAssertTrue(s.isClosed)
        XCTAssertEqual(send(&s, "NOOP"), [])
    }

    func testSuccessfulCommandsDoNotResetErrorCount() {
        var s = session(hardErrorLimit: 2)
        assertReply(&s, "FOO", 502)
        assertReply(&s, "NOOP", 250)
        XCTAssertEqual(send(&s, "FOO").last, .close)
    }

    func testTimeoutReply() {
        XCTAssertEqual(session().timeoutReply, SMTPReply(421, "4.4.2", "moat.test Error: timeout exceeded"))
    }

    // MARK: LMTP

    func testLMTP() {
        var s = session(lmtp: true)
        assertReply(&s, "EHLO client", 500, "5.5.1")
        assertReply(&s, "HELO client", 500, "5.5.1")
        guard let r = reply(&s, "LHLO client") else { return }
        XCTAssertEqual(r.code, 250)
        XCTAssertTrue(r.lines.contains("PIPELINING"))
        transact(&s, rcpts: ["alice@example.com", "bob@example.com"])
        XCTAssertEqual(s.pendingTransaction?.protocolName, "LMTP")
        XCTAssertEqual(s.pendingTransaction?.envelope.client.protocolName, "LMTP")
        let a = SMTPReply(250, "2.0.0", "alice ok"), b = SMTPReply(450, "4.2.0", "bob later")
        XCTAssertEqual(s.deliveryFinished(.perRecipient([a, b])), [.reply(a), .reply(b)])
        // A single outcome is repeated once per recipient.
        transact(&s, rcpts: ["alice@example.com", "bob@example.com"])
        let ok = SMTPReply(250, "2.0.0", "Ok")
        XCTAssertEqual(s.deliveryFinished(.single(ok)), [.reply(ok), .reply(ok)])
    }

    func testSMTPModeRefusesLHLO() {
        var s = session()
        assertReply(&s, "LHLO client", 500, "5.5.1")
    }

    // MARK: QUIT

    func testQUIT() {
        var s = session()
        XCTAssertEqual(send(&s, "QUIT"), [.reply(SMTPReply(221, "2.0.0", "Bye")), .close])
        XCTAssertTrue(s.isClosed)
        XCTAssertEqual(send(&s, "NOOP"), [])
        XCTAssertEqual(send(&s, "QUIT"), [])
    }

    func testQUITWithArgumentIsSyntaxError() {
        var s = session()
        assertReply(&s, "QUIT now", 501, "5.5.4")
        XCTAssertFalse(s.isClosed)
    }

    func testVerbsAreCaseInsensitive() {
        var s = session()
        assertReply(&s, "ehlo x", 250)
        assertReply(&s, "mail from:<a@example.org>", 250)
        assertReply(&s, "Rcpt To:<a@example.com>", 250)
        XCTAssertEqual(send(&s, "data").last, .beginData)
    }
}
