import NetworkService
import MoatCore
import MoatTestSupport
import XCTest
@testable import SMTP

/// Random and mutated input through decoder + session, driven like the connection loop.
/// Deterministic (fixed seeds), so a failure reproduces.
final class ServerFuzzTests: XCTestCase {
    private static let verbs = ["EHLO", "HELO", "LHLO", "MAIL FROM:", "RCPT TO:", "DATA", "RSET", "NOOP", "QUIT",
                                "VRFY", "EXPN", "HELP", "XFORWARD", "STARTTLS", "AUTH", "BDAT", "XYZZY", ""]

    private static let validSession: [String] = [
        "EHLO client.example", "XFORWARD NAME=c.example ADDR=192.0.2.1 PROTO=ESMTP HELO=h SOURCE=REMOTE",
        "MAIL FROM:<s@example.org> SIZE=100 BODY=8BITMIME", "RCPT TO:<a@example.com>", "RCPT TO:<b@example.com>",
        "DATA", "Subject: x", "", "..dot", "body", ".", "MAIL FROM:<>", "RCPT TO:<a@example.com>", "DATA",
        "hello", ".", "RSET", "NOOP", "QUIT",
    ]

    private func randomBytes(_ rng: inout SplitMix64, count: Int) -> [UInt8] {
        (0..<count).map { _ in
            switch rng.next() % 8 {
            case 0: return 0x0A
            case 1: return 0x0D
            case 2: return UInt8(ascii: ".")
            case 3: return 0
            default: return UInt8(truncatingIfNeeded: rng.next())
            }
        }
    }

    private func mutatedSession(_ rng: inout SplitMix64) -> [UInt8] {
        var lines = Self.validSession
        for _ in 0..<Int(rng.next() % 6) {
            let i = Int(rng.next() % UInt64(lines.count + 1))
            switch rng.next() % 7 {
            case 0: lines.insert(Self.verbs.randomElement(using: &rng)! + " arg", at: i)
            case 1: lines.insert(String(repeating: "L", count: Int(rng.next() % 5000)), at: i)
            case 2 where i < lines.count: lines.remove(at: i)
            case 3: lines.insert(Self.verbs.randomElement(using: &rng)! + "\u{0}x", at: i)
            case 4: lines.insert("DATA", at: i)
            case 5: lines.insert(".", at: i)
            default: lines.insert("MAIL FROM:<x@example.org> SIZE=\(rng.next() % 3000)", at: i)
            }
        }
        var bytes: [UInt8] = []
        for line in lines {
            bytes += Array(line.utf8)
            bytes += rng.next() % 4 == 0 ? [0x0A] : [0x0D, 0x0A]
        }
        // Byte-level damage: inserted NUL/CR/LF/dots, dropped bytes.
        for _ in 0..<Int(rng.next() % 8) where !bytes.isEmpty {
            let i = Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 5 {
            case 0: bytes.insert(0, at: i)
            case 1: bytes.insert(0x0D, at: i)
            case 2: bytes.insert(0x0A, at: i)
            case 3: bytes.insert(UInt8(ascii: "."), at: i)
            default: bytes.remove(at: i)
            }
        }
        return bytes
    }

    private func randomOutcome(_ rng: inout SplitMix64, recipients: Int) -> SMTPDeliveryOutcome {
        let replies = [SMTPReply(250, "2.0.0", "Ok"), SMTPReply(451, "4.3.0", "later"), SMTPReply(554, "5.7.0", "no")]
        switch rng.next() % 3 {
        case 0: return .single(replies.randomElement(using: &rng)!)
        case 1: return .perRecipient((0..<recipients).map { _ in replies.randomElement(using: &rng)! })
        default: return .perRecipient([]) // a misbehaving handler must not crash the session
        }
    }

    /// Runs one input like ConnectionLoop does. Returns the number of events and deliveries seen.
    @discardableResult
    private func run(_ input: [UInt8], rng: inout SplitMix64, lmtp: Bool, iteration: Int,
                     fixed: SMTPServerSettings? = nil) -> (events: Int, deliveries: Int) {
        let settings = fixed ?? SMTPServerSettings(hostname: "moat.test", lmtp: lmtp, maxMessageSize: 2000, maxRecipients: 5,
                                          maxLineLength: 512, softErrorLimit: Int(rng.next() % 10) + 1,
                                          hardErrorLimit: Int(rng.next() % 30) + 1, heloRequired: rng.next() % 2 == 0,
                                          offersSTARTTLS: rng.next() % 2 == 0, checksPolicy: rng.next() % 2 == 0)
        var session = SMTPServerSession(settings: settings, peerAddress: "127.0.0.1", localPort: 10024)
        var decoder = SMTPInboundDecoder(maxLineLength: settings.maxLineLength, maxMessageSize: settings.maxMessageSize)
        XCTAssertEqual(session.greeting().code, 220)
        var events = 0
        var deliveries = 0
        var offset = 0
        var closed = false
        // Worst case one event per input byte, plus a few for the end: anything more is a loop.
        let eventBudget = input.count + 10
        feeding: while offset < input.count {
            let chunk = min(input.count - offset, Int(rng.next() % 200) + 1)
            decoder.feed(input[offset..<offset + chunk])
            offset += chunk
            while let event = decoder.next() {
                events += 1
                if events > eventBudget {
                    XCTFail("iteration \(iteration): \(events) events from \(input.count) bytes")
                    break feeding
                }
                var actions: [SMTPServerSession.Action]
                switch event {
                case .line(let line):
                    XCTAssertLessThanOrEqual(line.count, settings.maxLineLength, "iteration \(iteration)")
                    XCTAssertFalse(line.contains(0x0A), "iteration \(iteration)")
                    actions = session.received(line: line, moreInputBuffered: decoder.bufferedByteCount > 0)
                case .lineTooLong: actions = session.receivedOverlongLine()
                case .message(let bytes, let size):
                    if let bytes {
                        XCTAssertEqual(bytes.count, size, "iteration \(iteration)")
                        XCTAssertLessThanOrEqual(size, settings.maxMessageSize, "iteration \(iteration)")
                    } else {
                        XCTAssertGreaterThan(size, settings.maxMessageSize, "iteration \(iteration)")
                    }
                    actions = session.received(message: bytes, size: size)
                }
                var rounds = 0
                while !actions.isEmpty {
                    rounds += 1
                    XCTAssertLessThan(rounds, 3, "iteration \(iteration)")
                    var next: [SMTPServerSession.Action] = []
                    for action in actions {
                        switch action {
                        case .reply(let reply):
                            XCTAssertTrue((200..<600).contains(reply.code), "iteration \(iteration): \(reply)")
                            XCTAssertFalse(reply.encoded().isEmpty)
                        case .beginData:
                            decoder.beginData()
                        case .deliver:
                            guard let t = session.pendingTransaction else {
                                XCTFail("iteration \(iteration): .deliver without a transaction")
                                continue
                            }
                            XCTAssertFalse(t.envelope.recipients.isEmpty, "iteration \(iteration)")
                            XCTAssertLessThanOrEqual(t.envelope.recipients.count, settings.maxRecipients)
                            XCTAssertLessThanOrEqual(t.message.count, settings.maxMessageSize)
                            deliveries += 1
                            let outcome = randomOutcome(&rng, recipients: t.envelope.recipients.count)
                            next += session.deliveryFinished(outcome)
                            XCTAssertNil(session.pendingTransaction, "iteration \(iteration)")
                        case .close:
                            closed = true
                        case .checkMail, .checkRecipient, .checkData:
                            XCTAssertTrue(settings.checksPolicy, "iteration \(iteration)")
                            XCTAssertNotNil(session.pendingPolicyRequest, "iteration \(iteration)")
                            let refusal = rng.next() % 3 == 0 ? SMTPReply(554, "5.7.1", "no") : nil
                            switch action {
                            case .checkMail: next += session.mailChecked(refusal)
                            case .checkData: next += session.dataChecked(refusal)
                            default: next += session.recipientChecked(refusal)
                            }
                        case .startTLS:
                            XCTAssertTrue(settings.offersSTARTTLS, "iteration \(iteration)")
                            decoder.discardBuffered()
                            session.tlsStarted(TLSInfo(version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256", bits: 128))
                        }
                    }
                    actions = next
                }
                if closed {
                    XCTAssertTrue(session.isClosed, "iteration \(iteration)")
                    break feeding
                }
            }
            // Drained: what is left is at most a partial command line, or a dot and CR in data mode.
            XCTAssertLessThanOrEqual(decoder.bufferedByteCount, settings.maxLineLength + 1, "iteration \(iteration)")
        }
        return (events, deliveries)
    }

    func testRandomBytes() {
        var rng = SplitMix64(seed: 0x5EED_0001)
        for i in 0..<1500 {
            let input = randomBytes(&rng, count: Int(rng.next() % 3000))
            run(input, rng: &rng, lmtp: rng.next() % 4 == 0, iteration: i)
        }
    }

    func testMutatedSessions() {
        var rng = SplitMix64(seed: 0x5EED_0002)
        var delivered = 0
        for i in 0..<1500 {
            let input = mutatedSession(&rng)
            delivered += run(input, rng: &rng, lmtp: rng.next() % 4 == 0, iteration: i).deliveries
        }
        XCTAssertGreaterThan(delivered, 100, "mutations should still leave many deliverable sessions")
    }

    func testUnmutatedSessionDeliversTwice() {
        var bytes: [UInt8] = []
        for line in Self.validSession { bytes += Array(line.utf8) + [0x0D, 0x0A] }
        var rng = SplitMix64(seed: 7)
        let result = run(bytes, rng: &rng, lmtp: false, iteration: -1,
                         fixed: SMTPServerSettings(hostname: "moat.test", maxMessageSize: 2000, maxRecipients: 5))
        // EHLO, XFORWARD, MAIL, RCPT, RCPT, DATA, msg, MAIL, RCPT, DATA, msg, RSET, NOOP, QUIT
        XCTAssertEqual(result.events, 14)
        XCTAssertEqual(result.deliveries, 2)
    }
}
