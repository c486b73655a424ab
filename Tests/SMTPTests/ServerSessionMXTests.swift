import NetworkService
import MoatCore
import XCTest
@testable import SMTP

/// The session features the MX uses: policy questions at MAIL, RCPT and DATA, STARTTLS, HELO
/// required, error sleep, illegal pipelining, the banner.
final class ServerSessionMXTests: XCTestCase {
    typealias Action = SMTPServerSession.Action

    private func mx(heloRequired: Bool = false, tls: Bool = true, soft: Int = 2, hard: Int = 5,
                    banner: String? = "mx.test ESMTP") -> SMTPServerSession {
        SMTPServerSession(
            settings: SMTPServerSettings(hostname: "mx.test", banner: banner, maxMessageSize: 1000, softErrorLimit: soft,
                                         hardErrorLimit: hard, acceptXForward: false, heloRequired: heloRequired,
                                         offersSTARTTLS: tls, checksPolicy: true),
            peerAddress: "192.0.2.1", localPort: 25)
    }

    private func send(_ s: inout SMTPServerSession, _ line: String, more: Bool = false) -> [Action] {
        s.received(line: Array(line.utf8), moreInputBuffered: more)
    }

    /// MAIL FROM, with the policy's consent when it is asked.
    private func mail(_ s: inout SMTPServerSession, _ line: String, more: Bool = false) -> [Action] {
        let actions = send(&s, line, more: more)
        return actions == [.checkMail] ? s.mailChecked(nil) : actions
    }

    private func replies(_ actions: [Action]) -> [SMTPReply] {
        actions.compactMap { if case .reply(let r) = $0 { r } else { nil } }
    }

    func testRecipientsWaitForThePolicy() {
        var s = mx()
        _ = send(&s, "EHLO client.example")
        _ = mail(&s, "MAIL FROM:<a@example.org>")
        XCTAssertEqual(send(&s, "RCPT TO:<bob@example.com>"), [.checkRecipient])
        XCTAssertEqual(s.pendingPolicyRequest?.recipient?.description, "bob@example.com")
        XCTAssertEqual(s.pendingPolicyRequest?.helo, "client.example")
        XCTAssertEqual(send(&s, "NOOP"), [], "nothing is read while the policy decides")
        let refusal = SMTPReply(554, "5.7.1", "<bob@example.com>: Relay access denied")
        XCTAssertEqual(s.recipientChecked(refusal), [.reply(refusal)])
        XCTAssertEqual(send(&s, "DATA"), [.reply(SMTPReply(554, "5.5.1", "Error: no valid recipients"))])
        XCTAssertEqual(send(&s, "RCPT TO:<carol@example.com>"), [.checkRecipient])
        XCTAssertEqual(s.recipientChecked(nil), [.reply(SMTPReply(250, "2.1.5", "Ok"))])
        XCTAssertEqual(send(&s, "DATA"), [.checkData])
        XCTAssertNil(s.pendingPolicyRequest?.recipient)
        XCTAssertEqual(s.pendingPolicyRequest?.acceptedRecipients, 1)
        XCTAssertEqual(s.dataChecked(nil), [.reply(SMTPReply(354, nil, "End data with <CR><LF>.<CR><LF>")), .beginData])
        let bytes = Array("Subject: x\r\n\r\nbody\r\n".utf8)
        XCTAssertEqual(s.received(message: bytes, size: bytes.count), [.deliver])
        XCTAssertEqual(s.pendingTransaction?.envelope.recipients.map(\.description), ["carol@example.com"])
    }

    func testMailWaitsForThePolicyAndARefusalTakesNoSender() {
        var s = mx()
        _ = send(&s, "EHLO client.example")
        XCTAssertEqual(send(&s, "MAIL FROM:<a@example.org> SIZE=500"), [.checkMail])
        XCTAssertEqual(s.pendingPolicyRequest?.sender?.description, "a@example.org")
        XCTAssertEqual(s.pendingPolicyRequest?.declaredSize, 500)
        XCTAssertNil(s.pendingPolicyRequest?.recipient)
        XCTAssertEqual(send(&s, "RCPT TO:<bob@example.com>"), [], "nothing is read while the policy decides")
        let full = SMTPReply(452, "4.3.1", "Insufficient system storage")
        XCTAssertEqual(s.mailChecked(full), [.reply(full)])
        XCTAssertEqual(send(&s, "RCPT TO:<bob@example.com>"), [.reply(SMTPReply(503, "5.5.1", "Error: need MAIL command"))])
        XCTAssertEqual(send(&s, "MAIL FROM:<a@example.org>"), [.checkMail])
        XCTAssertNil(s.pendingPolicyRequest?.declaredSize, "SIZE= of the refused MAIL is forgotten")
        XCTAssertEqual(s.mailChecked(nil), [.reply(SMTPReply(250, "2.1.0", "Ok"))])
        XCTAssertEqual(send(&s, "RCPT TO:<bob@example.com>"), [.checkRecipient])
        XCTAssertEqual(s.pendingPolicyRequest?.sender?.description, "a@example.org")
    }

    /// RFC 5321 §4.1.1.3: `<Postmaster>` without a domain must be accepted; it is asked
    /// about (and queued) as postmaster@ the configured domain, so no domainless address
    /// reaches the policy or the queue. Other domainless paths stay a syntax error.
    func testBarePostmasterIsQualified() {
        var s = SMTPServerSession(
            settings: SMTPServerSettings(hostname: "mx.example.com", acceptXForward: false, checksPolicy: true,
                                         postmasterDomain: "example.com"),
            peerAddress: "192.0.2.1", localPort: 25)
        _ = send(&s, "EHLO client.example")
        _ = mail(&s, "MAIL FROM:<a@example.org>")
        for path in ["<postmaster>", "<POSTMASTER>", "<PostMaster>", "postmaster"] {
            XCTAssertEqual(send(&s, "RCPT TO:\(path)"), [.checkRecipient], path)
            XCTAssertEqual(s.pendingPolicyRequest?.recipient?.description, "postmaster@example.com", path)
            XCTAssertEqual(s.recipientChecked(nil), [.reply(SMTPReply(250, "2.1.5", "Ok"))])
        }
        XCTAssertEqual(replies(send(&s, "RCPT TO:<webmaster>")).map(\.code), [501])
        // Without a configured domain, the hostname (Postfix's $myorigin default).
        var plain = mx()
        _ = send(&plain, "EHLO c")
        _ = mail(&plain, "MAIL FROM:<>")
        XCTAssertEqual(send(&plain, "RCPT TO:<Postmaster>"), [.checkRecipient])
        XCTAssertEqual(plain.pendingPolicyRequest?.recipient?.description, "postmaster@mx.test")
    }

    func testDataRefusedByPolicy() {
        var s = mx()
        _ = send(&s, "EHLO c")
        _ = mail(&s, "MAIL FROM:<>")
        _ = send(&s, "RCPT TO:<x@example.com>")
        _ = s.recipientChecked(nil)
        XCTAssertEqual(send(&s, "DATA"), [.checkData])
        let refusal = SMTPReply(503, "5.5.0", "<DATA>: Data command rejected: Improper use of SMTP command pipelining")
        XCTAssertEqual(s.dataChecked(refusal), [.reply(refusal)])
        XCTAssertEqual(replies(send(&s, "RSET")).first?.code, 250)
    }

    func testHeloRequired() {
        var s = mx(heloRequired: true)
        XCTAssertEqual(send(&s, "MAIL FROM:<a@example.org>"), [.reply(SMTPReply(503, "5.5.1", "Error: send HELO/EHLO first"))])
        _ = send(&s, "HELO client.example")
        XCTAssertEqual(send(&s, "MAIL FROM:<a@example.org>"), [.checkMail])
        XCTAssertEqual(replies(s.mailChecked(nil)).first?.code, 250)
    }

    func testStartTLSResetsTheSession() {
        var s = mx()
        let ehlo = replies(send(&s, "EHLO client.example"))[0]
        XCTAssertTrue(ehlo.lines.contains("STARTTLS"))
        XCTAssertFalse(ehlo.lines.contains { $0.hasPrefix("XFORWARD") })
        XCTAssertEqual(send(&s, "STARTTLS"), [.reply(SMTPReply(220, "2.0.0", "Ready to start TLS")), .startTLS])
        XCTAssertEqual(send(&s, "MAIL FROM:<a@example.org>"), [], "nothing before the handshake")
        let info = TLSInfo(version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", bits: 256)
        s.tlsStarted(info)
        XCTAssertEqual(s.tls, info)
        let again = replies(send(&s, "EHLO client.example"))[0]
        XCTAssertFalse(again.lines.contains("STARTTLS"), "not offered twice")
        XCTAssertEqual(send(&s, "STARTTLS"), [.reply(SMTPReply(554, "5.5.1", "Error: TLS already active"))])
        _ = mail(&s, "MAIL FROM:<a@example.org>")
        _ = send(&s, "RCPT TO:<b@example.com>")
        _ = s.recipientChecked(nil)
        _ = send(&s, "DATA")
        _ = s.dataChecked(nil)
        let bytes = Array("x\r\n".utf8)
        _ = s.received(message: bytes, size: bytes.count)
        XCTAssertEqual(s.pendingTransaction?.protocolName, "ESMTPS")
        XCTAssertEqual(s.pendingTransaction?.tls, info)
    }

    func testNoSTARTTLSWithoutACertificate() {
        var s = mx(tls: false)
        XCTAssertFalse(replies(send(&s, "EHLO c"))[0].lines.contains("STARTTLS"))
        XCTAssertEqual(replies(send(&s, "STARTTLS")).first?.code, 502)
    }

    func testErrorsSlowTheSessionFromTheSoftLimitAndTheHardLimitCloses() {
        var s = mx(soft: 2, hard: 4)
        XCTAssertEqual(send(&s, "BOGUS").count, 1)
        XCTAssertFalse(s.isSlowedDown)
        XCTAssertEqual(send(&s, "BOGUS").count, 1)
        XCTAssertTrue(s.isSlowedDown, "from the soft limit on every reply waits (Postfix: sleep-on-anything)")
        _ = send(&s, "BOGUS")
        let last = send(&s, "BOGUS")
        XCTAssertEqual(last.last, .close)
        XCTAssertEqual(replies(last).last?.code, 421)
    }

    func testJunkCommandsBeyondTheLimitCountAsErrors() {
        var s = mx(soft: 1000, hard: 3)
        _ = send(&s, "EHLO c")
        for _ in 0..<SMTPServerSession.junkCommandLimit {
            XCTAssertEqual(send(&s, "NOOP"), [.reply(SMTPReply(250, "2.0.0", "Ok"))])
        }
        XCTAssertEqual(send(&s, "NOOP").count, 1, "first error")
        XCTAssertEqual(send(&s, "RSET").count, 1, "second error")
        XCTAssertEqual(send(&s, "NOOP").last, .close, "third: the hard limit")
    }

    func testHELONameIsNeutered() {
        var s = mx()
        _ = send(&s, "EHLO x (trusted.example [10.1.1.1])")
        _ = mail(&s, "MAIL FROM:<a@example.org>")
        _ = send(&s, "RCPT TO:<b@example.com>")
        XCTAssertEqual(s.pendingPolicyRequest?.helo, "x??trusted.example?[10.1.1.1]?", "no parentheses or spaces: nothing to forge")
    }

    func testPolicyRefusalsCountAsErrors() {
        var s = mx(soft: 1, hard: 3)
        _ = send(&s, "EHLO c")
        _ = mail(&s, "MAIL FROM:<a@example.org>")
        let no = SMTPReply(550, "5.1.1", "<x@example.com>: Recipient address rejected: User unknown in virtual mailbox table")
        _ = send(&s, "RCPT TO:<x@example.com>")
        XCTAssertEqual(s.recipientChecked(no), [.reply(no)])
        _ = send(&s, "RCPT TO:<y@example.com>")
        XCTAssertEqual(s.recipientChecked(no), [.reply(no)])
        XCTAssertTrue(s.isSlowedDown)
        _ = send(&s, "RCPT TO:<z@example.com>")
        XCTAssertEqual(s.recipientChecked(no).last, .close)
    }

    func testIllegalPipelining() {
        var helo = mx()
        _ = send(&helo, "HELO c")
        _ = mail(&helo, "MAIL FROM:<a@example.org>", more: true)
        XCTAssertTrue(helo.pipelinedIllegally, "HELO clients may not pipeline at all")

        var ehlo = mx()
        _ = send(&ehlo, "EHLO c")
        _ = mail(&ehlo, "MAIL FROM:<a@example.org>", more: true)
        _ = send(&ehlo, "RCPT TO:<b@example.com>", more: true)
        XCTAssertFalse(ehlo.pipelinedIllegally, "RFC 2920 groups are fine")
        _ = ehlo.recipientChecked(nil)
        _ = send(&ehlo, "DATA", more: true)
        XCTAssertEqual(ehlo.pendingPolicyRequest?.pipelinedIllegally, true, "message sent before the 354")

        var early = mx()
        early.clientSpokeEarly()
        XCTAssertTrue(early.pipelinedIllegally)
    }
}
