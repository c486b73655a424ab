import MoatCore
import XCTest
@testable import SMTP

/// The shared budget of message bytes in memory, the decoder's part in it (stop keeping a
/// message, a trace header in front) and the session's 451 4.3.1.
final class ServerMessageMemoryTests: XCTestCase {
    func testBudgetTakesWhatFitsAndRefusesTheRest() {
        let budget = MessageMemoryBudget(limit: 100)
        XCTAssertTrue(budget.reserve(60))
        XCTAssertFalse(budget.reserve(41), "60 + 41 is past the limit")
        XCTAssertEqual(budget.heldBytes, 60, "a refused reservation takes nothing")
        XCTAssertTrue(budget.reserve(40))
        budget.release(100)
        XCTAssertEqual(budget.heldBytes, 0)
        XCTAssertTrue(MessageMemoryBudget(limit: 0).reserve(1 << 40), "0 = unlimited")
    }

    func testReservationGrowsWithTheMessageAndGivesAllBackWhenItDoesNotFit() {
        let budget = MessageMemoryBudget(limit: 100)
        var first = MessageMemoryReservation(budget: budget)
        var second = MessageMemoryReservation(budget: budget)
        XCTAssertTrue(first.cover(30))
        XCTAssertTrue(first.cover(50))
        XCTAssertTrue(first.cover(40), "covering less than held keeps what is held")
        XCTAssertEqual(budget.heldBytes, 50)
        XCTAssertTrue(second.cover(50))
        XCTAssertFalse(second.cover(51), "one byte past the shared limit")
        XCTAssertEqual(budget.heldBytes, 50, "the refused session gave back its 50 at once")
        XCTAssertFalse(second.cover(1), "the refused message stays refused to its end")
        second.endTransaction()
        XCTAssertTrue(second.cover(50), "the next message starts afresh")
        first.endTransaction()
        second.endTransaction()
        XCTAssertEqual(budget.heldBytes, 0)
    }

    func testConcurrentSessionsNeverHoldMoreThanTheLimit() async {
        let budget = MessageMemoryBudget(limit: 1000)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    var reservation = MessageMemoryReservation(budget: budget)
                    for size in stride(from: 10, through: 200, by: 10) where reservation.cover(size) {
                        XCTAssertLessThanOrEqual(budget.heldBytes, 1000)
                    }
                    reservation.endTransaction()
                }
            }
        }
        XCTAssertEqual(budget.heldBytes, 0)
    }

    func testAfterBurstRunsWhenABurstIsOverNotAfterEverySmallMessage() {
        let calls = Locked(0)
        let budget = MessageMemoryBudget(limit: 0, afterBurst: { calls.withLock { $0 += 1 } })
        XCTAssertTrue(budget.reserve(1000))
        budget.release(1000)
        XCTAssertEqual(calls.withLock { $0 }, 0, "a small message is no burst")
        XCTAssertTrue(budget.reserve(MessageMemoryBudget.burstBytes / 2))
        XCTAssertTrue(budget.reserve(MessageMemoryBudget.burstBytes / 2))
        budget.release(MessageMemoryBudget.burstBytes / 2)
        XCTAssertEqual(calls.withLock { $0 }, 0, "the burst is not over while a message is held")
        budget.release(MessageMemoryBudget.burstBytes / 2)
        XCTAssertEqual(calls.withLock { $0 }, 1)
        XCTAssertTrue(budget.reserve(10))
        budget.release(10)
        XCTAssertEqual(calls.withLock { $0 }, 1, "once per burst")
    }

    func testDecoderStopsKeepingTheMessageButReadsItToTheEnd() {
        var decoder = SMTPInboundDecoder(maxMessageSize: 1 << 20)
        decoder.beginData()
        decoder.feed(Array("Subject: big\r\n\r\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 5000) + [13, 10])
        XCTAssertNil(decoder.next())
        XCTAssertEqual(decoder.heldMessageBytes, 5018)
        decoder.stopKeepingMessage()
        XCTAssertEqual(decoder.heldMessageBytes, 0)
        decoder.feed(Array("more\r\n.\r\nQUIT\r\n".utf8))
        XCTAssertEqual(decoder.next(), .message(bytes: nil, size: 5024))
        XCTAssertEqual(decoder.next(), .line(Array("QUIT".utf8)), "the session goes on after the refused message")
        decoder.beginData()
        decoder.feed(Array("ok\r\n.\r\n".utf8))
        XCTAssertEqual(decoder.next(), .message(bytes: Array("ok\r\n".utf8), size: 4), "the next message is kept again")
    }

    func testTraceHeaderStartsTheMessageAndDoesNotCountTowardTheSizeLimit() {
        var decoder = SMTPInboundDecoder(maxMessageSize: 4)
        let header = Array("Received: from a\r\n\tby b; date\r\n".utf8)
        decoder.beginData(prefix: header)
        decoder.feed(Array("hi\r\n.\r\n".utf8))
        XCTAssertEqual(decoder.next(), .message(bytes: header + Array("hi\r\n".utf8), size: 4))
    }

    func testSessionRefusesTheMessageWith451AndTheNextTransactionStartsClean() {
        var session = SMTPServerSession(settings: SMTPServerSettings(hostname: "moat.test"), peerAddress: "127.0.0.1",
                                        localPort: 25)
        _ = session.received(line: Array("EHLO client.test".utf8))
        _ = session.received(line: Array("MAIL FROM:<s@example.org>".utf8))
        _ = session.received(line: Array("RCPT TO:<alice@example.com>".utf8))
        _ = session.received(line: Array("DATA".utf8))
        XCTAssertEqual(session.transactionInData?.envelope.recipients.map(\.description), ["alice@example.com"])
        XCTAssertEqual(session.received(message: nil, size: 10, refusal: MessageMemoryBudget.refusal),
                       [.reply(SMTPReply(451, "4.3.1", "Insufficient system resources"))])
        XCTAssertNil(session.transactionInData)
        XCTAssertEqual(session.received(line: Array("MAIL FROM:<s@example.org>".utf8)),
                       [.reply(SMTPReply(250, "2.1.0", "Ok"))], "no nested MAIL: the refused transaction is over")
    }

    /// RFC 2033 §4.2: an LMTP client waits for one reply per recipient after the dot, refused or not.
    func testLMTPGetsTheRefusalOncePerRecipient() {
        var session = SMTPServerSession(settings: SMTPServerSettings(hostname: "moat.test", lmtp: true),
                                        peerAddress: "127.0.0.1", localPort: 24)
        _ = session.received(line: Array("LHLO client.test".utf8))
        _ = session.received(line: Array("MAIL FROM:<s@example.org>".utf8))
        _ = session.received(line: Array("RCPT TO:<a@example.com>".utf8))
        _ = session.received(line: Array("RCPT TO:<b@example.com>".utf8))
        _ = session.received(line: Array("DATA".utf8))
        let refusal = MessageMemoryBudget.refusal
        XCTAssertEqual(session.received(message: nil, size: 10, refusal: refusal), [.reply(refusal), .reply(refusal)])
        _ = session.received(line: Array("MAIL FROM:<s@example.org>".utf8))
        _ = session.received(line: Array("RCPT TO:<a@example.com>".utf8))
        _ = session.received(line: Array("DATA".utf8))
        let tooBig = SMTPReply(552, "5.3.4", "Error: message file too big")
        XCTAssertEqual(session.received(message: nil, size: 10), [.reply(tooBig)])
    }
}
