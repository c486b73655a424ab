import Delivery
import Directory
import Foundation
import MoatCore
import Queue
import XCTest

/// SMTP delivery against real sinks on loopback, with MX records from a real dnsmasq.
final class RemoteDeliveryTests: DeliveryTestCase {
    // MARK: MX order

    func testLowestPreferenceFirst() async throws {
        let (v4, v6) = try await SMTPSink.pair()
        let deliverer = try deliverer(settings(smtpPort: v4.port))

        let viaV6 = await deliver(deliverer, message(), to: ["a@pref6.moattest"])
        XCTAssertEqual(viaV6, [.delivered])
        XCTAssertEqual(v6.sessions.count, 1, "pref6.moattest: mx6 (::1) at 10 first")
        XCTAssertEqual(v4.sessions.count, 0)

        let viaV4 = await deliver(deliverer, message(), to: ["a@pref4.moattest"])
        XCTAssertEqual(viaV4, [.delivered])
        XCTAssertEqual(v4.sessions.count, 1, "pref4.moattest: mx4 (127.0.0.1) at 10 first")
        XCTAssertEqual(v6.sessions.count, 1)
        let session = await v4.finishedSessions().first
        XCTAssertEqual(session?.recipients, ["<a@pref4.moattest>"])
        XCTAssertEqual(session?.messages, [Self.body], "the bytes as queued")
    }

    func testFallsBackToTheNextMXWhenTheFirstRefusesConnections() async throws {
        // Only 127.0.0.1 listens: mx6 (::1, preference 10) refuses the connection.
        let v4 = try await SMTPSink()
        let outcomes = await deliver(try deliverer(settings(smtpPort: v4.port)), message(), to: ["a@pref6.moattest"])
        XCTAssertEqual(outcomes, [.delivered])
        XCTAssertEqual(v4.sessions.count, 1)
    }

    func testEveryMXRefusingIsTemporary441() async throws {
        let port = try await unusedPort()
        let outcomes = await deliver(try deliverer(settings(smtpPort: port)), message(), to: ["a@pref4.moattest"])
        XCTAssertEqual(outcomes.map(describe),
                       ["temporary 4.4.1 connect to mx6.moattest[::1]:\(port): Connection refused"],
                       "the last host's failure is reported")
    }

    func testSkipsAnMXHostThatDoesNotResolve() async throws {
        let sink = try await SMTPSink()
        let outcomes = await deliver(try deliverer(settings(smtpPort: sink.port)), message(), to: ["a@ghost.moattest"])
        XCTAssertEqual(outcomes, [.delivered])
        XCTAssertEqual(sink.sessions.count, 1)
    }

    func testGreetingOrTemporaryMailRefusalPassesToTheNextMX() async throws {
        var busy = SMTPSink.Script()
        busy.greeting = "421 4.3.2 mx6 busy, try later"
        var notNow = SMTPSink.Script()
        notNow.mail = "451 4.3.0 mx6 cannot take mail now"
        for refusing in [busy, notNow] {
            let (v4, v6) = try await SMTPSink.pair(v6: refusing)
            let outcomes = await deliver(try deliverer(settings(smtpPort: v4.port)), message(), to: ["a@pref6.moattest"])
            XCTAssertEqual(outcomes, [.delivered])
            let refused = await v6.finishedSessions()
            XCTAssertEqual(refused.count, 1)
            XCTAssertEqual(refused.first?.messages, [], "mx6 (preference 10) refused the session")
            let taken = await v4.finishedSessions()
            XCTAssertEqual(taken.count, 1)
            XCTAssertEqual(taken.first?.messages, [Self.body], "mx4 (preference 20) took the message")
        }
    }

    // MARK: DNS answers

    func testImplicitMXIsTheDomainsAddress() async throws {
        let sink = try await SMTPSink()
        let outcomes = await deliver(try deliverer(settings(smtpPort: sink.port)), message(), to: ["a@implicit.moattest"])
        XCTAssertEqual(outcomes, [.delivered])
        XCTAssertEqual(sink.sessions.first?.recipients, ["<a@implicit.moattest>"])
    }

    func testNullMXFailsPermanently5110() async throws {
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["a@nullmx.moattest"])
        XCTAssertEqual(outcomes.map(describe), ["permanent 5.1.10 Domain nullmx.moattest does not accept mail (nullMX)"])
    }

    func testDNSFailureIsTemporary443() async throws {
        let started = ContinuousClock.now
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["a@broken.moattest"])
        XCTAssertEqual(outcomes.map(describe), [
            "temporary 4.4.3 Host or domain name not found. Name service error for name=broken.moattest type=MX: "
                + "Host not found, try again",
        ])
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
    }

    func testNonexistentDomainIsPermanent544() async throws {
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["a@nosuchdomain.moattest"])
        XCTAssertEqual(outcomes.map(describe), [
            "permanent 5.4.4 Host or domain name not found. Name service error for name=nosuchdomain.moattest type=A: "
                + "Host not found",
        ])
    }

    // MARK: Relayhost

    func testBracketedRelayhostIsUsedDirectlyForEveryDomain() async throws {
        let sink = try await SMTPSink()
        let deliverer = try deliverer(settings { $0.relayhost = "[127.0.0.1]:\(sink.port)" })
        let outcomes = await deliver(deliverer, message(), to: ["a@nullmx.moattest", "b@nosuchdomain.moattest"])
        XCTAssertEqual(outcomes, [.delivered, .delivered], "no MX lookup of the recipient domains")
        XCTAssertEqual(sink.sessions.count, 1, "one transaction for the one next hop")
        XCTAssertEqual(sink.sessions.first?.recipients, ["<a@nullmx.moattest>", "<b@nosuchdomain.moattest>"])
    }

    func testRelayhostWithoutBracketsIsAnMXLookup() async throws {
        let sink = try await SMTPSink()
        let deliverer = try deliverer(settings { $0.relayhost = "relay.moattest:\(sink.port)" })
        let outcomes = await deliver(deliverer, message(), to: ["a@example.net"])
        XCTAssertEqual(outcomes, [.delivered])
        XCTAssertEqual(sink.sessions.count, 1)
    }

    func testOneSessionPerNextHopAndAtMostTheRecipientLimitPerTransaction() async throws {
        let sink = try await SMTPSink()
        var limits = MailDeliverer.Limits()
        limits.parallelHops = 2
        limits.recipientLimit = 2
        let deliverer = try deliverer(settings(smtpPort: sink.port), limits: limits)
        let recipients = ["a@pref4.moattest", "b@implicit.moattest", "c@remote.moattest", "d@pref4.moattest",
                          "e@pref4.moattest", "A@Pref4.moattest"]
        let outcomes = await deliver(deliverer, message(), to: recipients)
        XCTAssertEqual(outcomes, Array(repeating: .delivered, count: recipients.count))
        let sessions = await sink.finishedSessions()
        XCTAssertEqual(sessions.map(\.recipients).sorted { $0.joined() < $1.joined() }, [
            ["<a@pref4.moattest>", "<d@pref4.moattest>"], ["<b@implicit.moattest>"], ["<c@remote.moattest>"],
            ["<e@pref4.moattest>"],
        ], "one copy per address (case aside), two per transaction, a session per domain")
    }

    // MARK: Replies

    func testPerRecipientRepliesWithTheServersText() async throws {
        var script = SMTPSink.Script()
        script.rcpt = { address in
            switch address {
            case "grey@pref4.moattest": "450 4.2.0 <grey@pref4.moattest>: Recipient address rejected: Greylisted"
            case "gone@pref4.moattest": "550 5.1.1 <gone@pref4.moattest>: Recipient address rejected: User unknown"
            case "old@pref4.moattest": "553 sorry, no enhanced code here"
            default: "250 2.1.5 Ok"
            }
        }
        let sink = try await SMTPSink(script: script)
        let recipients = ["ok@pref4.moattest", "grey@pref4.moattest", "gone@pref4.moattest", "old@pref4.moattest"]
        let outcomes = await deliver(try deliverer(settings(smtpPort: sink.port)), message(), to: recipients)
        let host = "mx4.moattest[127.0.0.1]"
        XCTAssertEqual(outcomes.map(describe), [
            "delivered",
            "temporary 4.2.0 host \(host) said: 450 4.2.0 <grey@pref4.moattest>: Recipient address rejected: "
                + "Greylisted (in reply to RCPT TO command)",
            "permanent 5.1.1 host \(host) said: 550 5.1.1 <gone@pref4.moattest>: Recipient address rejected: "
                + "User unknown (in reply to RCPT TO command)",
            "permanent 5.0.0 host \(host) said: 553 sorry, no enhanced code here (in reply to RCPT TO command)",
        ])
        let sessions = await sink.finishedSessions()
        XCTAssertEqual(sessions.first?.messages.count, 1, "the accepted one got the message")
    }

    func testRefusalAtEndOfDataAndAtMail() async throws {
        var script = SMTPSink.Script()
        script.endOfData = "554 5.7.1 Message content rejected"
        let sink = try await SMTPSink(script: script)
        let outcomes = await deliver(try deliverer(settings(smtpPort: sink.port)), message(), to: ["a@pref4.moattest"])
        XCTAssertEqual(outcomes.map(describe), [
            "permanent 5.7.1 host mx4.moattest[127.0.0.1] said: 554 5.7.1 Message content rejected "
                + "(in reply to end of DATA command)",
        ])

        var sender = SMTPSink.Script()
        sender.mail = "553 5.7.1 <sender@example.org>: Sender address rejected"
        let strict = try await SMTPSink(script: sender)
        let refused = await deliver(try deliverer(settings(smtpPort: strict.port)), message(), to: ["a@pref4.moattest"])
        XCTAssertEqual(refused.map(describe), [
            "permanent 5.7.1 host mx4.moattest[127.0.0.1] said: 553 5.7.1 <sender@example.org>: Sender address "
                + "rejected (in reply to MAIL FROM command)",
        ])
    }

    func testStuckServerTimesOutWithinTheTransactionTimeout() async throws {
        var script = SMTPSink.Script()
        script.greeting = nil
        let sink = try await SMTPSink(script: script)
        let deliverer = try deliverer(settings(smtpPort: sink.port) {
            $0.connectTimeout = .seconds(1)
            $0.transactionTimeout = .seconds(1)
        })
        let started = ContinuousClock.now
        // implicit.moattest has one host, so its failure is the one reported.
        let outcomes = await deliver(deliverer, message(), to: ["a@implicit.moattest"])
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(8))
        XCTAssertEqual(outcomes.map(describe),
                       ["temporary 4.4.2 conversation with implicit.moattest[127.0.0.1] timed out (transaction_timeout 1s)"])
    }

    // MARK: Loops and backup MX

    func testMXThatIsOurAddressLoops546() async throws {
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["a@loop.moattest", "b@loopname.moattest"])
        XCTAssertEqual(outcomes.map(describe), [
            "permanent 5.4.6 mail for loop.moattest loops back to myself",
            "permanent 5.4.6 mail for loopname.moattest loops back to myself",
        ])
    }

    func testWithoutOurAddressInTheIdentityThereIsNoLoop() async throws {
        // The same MX, but the identity does not claim 127.0.0.2: delivery is attempted
        // (and fails to connect, nothing listens there).
        let port = try await unusedPort()
        let deliverer = try deliverer(settings(smtpPort: port), identity: LocalIdentity(hostname: "other.moattest"))
        let outcomes = await deliver(deliverer, message(), to: ["a@loop.moattest"])
        XCTAssertEqual(outcomes.map(describe), ["temporary 4.4.1 connect to self.moattest[127.0.0.2]:\(port): Connection refused"])
    }

    func testBackupMXHandsMailOnlyToBetterMXHosts() async throws {
        for domain in ["backup.moattest", "backupfirst.moattest", "backuptie.moattest"] {
            _ = try store.addDomain(domain, backupMX: true)
        }
        let sink = try await SMTPSink()
        let deliverer = try deliverer(settings(smtpPort: sink.port))
        // We are at 20 behind mx4 at 10: mx4 gets it.
        let viaPrimary = await deliver(deliverer, message(), to: ["a@backup.moattest"])
        XCTAssertEqual(viaPrimary, [.delivered])
        XCTAssertEqual(sink.sessions.count, 1)
        // We are at 10, mx4 at 20 or tied at 10: nobody better, so wait (no loop bounce).
        let outcomes = await deliver(deliverer, message(), to: ["a@backupfirst.moattest", "a@backuptie.moattest"])
        XCTAssertEqual(outcomes.map(describe), [
            "temporary 4.4.4 unable to find primary relay for backupfirst.moattest",
            "temporary 4.4.4 unable to find primary relay for backuptie.moattest",
        ])
        XCTAssertEqual(sink.sessions.count, 1, "the worse or equal MX was not tried")
    }

    func testSameMXOrderForANonBackupDomainIsALoop() async throws {
        // Without the backup-MX row, being the best MX means mail would come back to us.
        let outcomes = await deliver(try deliverer(settings()), message(), to: ["a@backupfirst.moattest"])
        XCTAssertEqual(outcomes.map(describe), ["permanent 5.4.6 mail for backupfirst.moattest loops back to myself"])
    }

    // MARK: Aliases to remote addresses

    func testAliasToARemoteAddressAndAMailbox() async throws {
        try addExampleDomain(mailboxes: ["alice"])
        _ = try store.addAlias("both@example.com", targets: ["alice@example.com", "carol@remote.moattest"])
        let sink = try await SMTPSink()
        let outcomes = await deliver(try deliverer(settings(smtpPort: sink.port)), message(), to: ["both@example.com"])
        XCTAssertEqual(outcomes, [.delivered])
        XCTAssertEqual(try stored("alice@example.com").count, 1)
        XCTAssertEqual(sink.sessions.first?.recipients, ["<carol@remote.moattest>"])
        XCTAssertTrue(sink.sessions.first?.commands.contains("MAIL FROM:<sender@example.org> SIZE=\(Self.body.count)") == true,
                      "\(sink.sessions.first?.commands ?? [])")
    }

    func testRemoteFailureOfAnAliasTargetNamesItAndRetriesWithoutASecondLocalCopy() async throws {
        try addExampleDomain(mailboxes: ["alice"])
        _ = try store.addAlias("both@example.com", targets: ["alice@example.com", "carol@remote.moattest"])
        let accepting = Locked(false)
        var greylist = SMTPSink.Script()
        greylist.rcpt = { _ in accepting.withLock { $0 } ? "250 2.1.5 Ok" : "450 4.2.0 Greylisted, come back later" }
        let sink = try await SMTPSink(script: greylist)
        let deliverer = try deliverer(settings(smtpPort: sink.port))

        let first = await deliver(deliverer, message(id: "RETRY1"), to: ["both@example.com"])
        XCTAssertEqual(first.map(describe), [
            "temporary 4.2.0 <carol@remote.moattest>: host mx4.moattest[127.0.0.1] said: 450 4.2.0 Greylisted, "
                + "come back later (in reply to RCPT TO command)",
        ])
        XCTAssertEqual(try stored("alice@example.com").count, 1)

        // The queue retries the recipient; only the remote copy is still owed.
        accepting.withLock { $0 = true }
        let again = await deliver(deliverer, message(id: "RETRY1"), to: ["both@example.com"])
        XCTAssertEqual(again, [.delivered])
        XCTAssertEqual(try stored("alice@example.com").count, 1, "no second local copy")
        XCTAssertEqual(sink.sessions.count, 2)
        XCTAssertEqual(sink.sessions.last?.recipients, ["<carol@remote.moattest>"])

        // Another message is not affected by the first one's memory.
        let result5 = await deliver(deliverer, message(id: "OTHER1"), to: ["both@example.com"])
        XCTAssertEqual(result5, [.delivered])
        XCTAssertEqual(try stored("alice@example.com").count, 2)
    }

    /// A free TCP port on loopback: bound by a sink that is stopped again.
    private func unusedPort() async throws -> Int {
        let sink = try await SMTPSink()
        let port = sink.port
        await sink.stop()
        return port
    }
}
