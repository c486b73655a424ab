import MoatCore
import Policy
import XCTest

/// First-match semantics with smtpd_delay_reject=yes, against Postfix's rules.
final class EvaluationOrderTests: XCTestCase {
    private let rcpt = Fixtures.address("alice@local.example")

    private func context(_ ip: IPAddress = Fixtures.outside, helo: String? = "mx.sender.example",
                         sender: String? = "someone@sender.example", recipient: String? = "alice@local.example",
                         sasl: String? = nil, pipelined: Bool = false) -> PolicyContext {
        PolicyContext(clientAddress: ip, helo: helo, sender: sender.map(Fixtures.address),
                      recipient: recipient.map(Fixtures.address), saslUsername: sasl, pipelinedIllegally: pipelined)
    }

    func testEmptyListsPermit() async throws {
        let e = try Fixtures.evaluator([:])
        let decision = await e.checkRecipient(context())
        XCTAssertEqual(decision, .permit)
    }

    func testPermitEndsOnlyItsOwnList() async throws {
        // permit in the client list does not skip the recipient list (Postfix SMTPD_ACCESS_README).
        let e = try Fixtures.evaluator([.client: ["permit"], .recipient: ["reject_unauth_destination"]])
        let decision = await e.checkRecipient(context(recipient: "x@remote.example"))
        XCTAssertEqual(decision.reply?.description, "554 5.7.1 <x@remote.example>: Relay access denied")
    }

    func testFirstMatchWithinAList() async throws {
        let e = try Fixtures.evaluator([.recipient: ["permit", "reject"]])
        let decision = await e.checkRecipient(context())
        XCTAssertEqual(decision, .permit)
        let r = try Fixtures.evaluator([.recipient: ["reject", "permit"]])
        let rejected = await r.checkRecipient(context())
        XCTAssertEqual(rejected.reply?.description, "554 5.7.1 <alice@local.example>: Recipient address rejected: Access denied")
    }

    func testClientListRunsBeforeLaterListsAndRejectAnywhereRejects() async throws {
        let e = try Fixtures.evaluator([.client: ["reject"], .recipient: ["permit"]])
        let decision = await e.checkRecipient(context())
        XCTAssertEqual(decision, .reject(PolicyReply(code: 554, enhancedCode: "5.7.1",
                                                     text: "<unknown[203.0.113.9]>: Client host rejected: Access denied")))
        let helo = try Fixtures.evaluator([.helo: ["reject"]])
        let heloDecision = await helo.checkRecipient(context())
        XCTAssertEqual(heloDecision.reply?.text, "<mx.sender.example>: Helo command rejected: Access denied")
        let sender = try Fixtures.evaluator([.sender: ["reject"]])
        let senderDecision = await sender.checkRecipient(context())
        XCTAssertEqual(senderDecision.reply?.text, "<someone@sender.example>: Sender address rejected: Access denied")
    }

    func testPermitMynetworksAndSASL() async throws {
        let e = try Fixtures.evaluator([.recipient: ["permit_mynetworks", "permit_sasl_authenticated", "reject"]])
        let inside = await e.checkRecipient(context(Fixtures.inside))
        XCTAssertEqual(inside, .permit)
        let v6 = await e.checkRecipient(context(IPAddress("2001:db8::25")!))
        XCTAssertEqual(v6, .permit)
        let sasl = await e.checkRecipient(context(sasl: "alice"))
        XCTAssertEqual(sasl, .permit)
        let stranger = await e.checkRecipient(context())
        XCTAssertEqual(stranger.reply?.code, 554)
    }

    func testUnauthPipelining() async throws {
        let e = try Fixtures.evaluator([.client: ["reject_unauth_pipelining"], .data: ["reject_unauth_pipelining"]])
        let fine = await e.checkRecipient(context())
        XCTAssertEqual(fine, .permit)
        let bad = await e.checkRecipient(context(pipelined: true))
        XCTAssertEqual(bad.reply?.description,
                       "503 5.5.0 <unknown[203.0.113.9]>: Client host rejected: Improper use of SMTP command pipelining")
        let data = await e.checkData(context(recipient: nil, pipelined: true))
        XCTAssertEqual(data.reply?.description, "503 5.5.0 <DATA>: Data command rejected: Improper use of SMTP command pipelining")
    }

    func testHeloSyntax() async throws {
        let e = try Fixtures.evaluator([.helo: ["reject_invalid_helo_hostname", "reject_non_fqdn_helo_hostname"]])
        let cases: [(String, String?)] = [
            ("mx.sender.example", nil),
            ("mx.sender.example.", nil),
            ("[192.0.2.1]", nil),
            ("bad_host!name", "501 5.5.2 <bad_host!name>: Helo command rejected: Invalid name"),
            ("[300.1.1.1]", "501 5.5.2 <[300.1.1.1]>: Helo command rejected: invalid ip address"),
            ("-dash.example", "501 5.5.2 <-dash.example>: Helo command rejected: Invalid name"),
            ("localhost", "504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname"),
            // A bare address passes valid_hostaddr (Postfix's back-compat) but is no FQDN.
            ("1.2.3.4", "504 5.5.2 <1.2.3.4>: Helo command rejected: need fully-qualified hostname"),
        ]
        for (helo, expected) in cases {
            let decision = await e.checkRecipient(context(helo: helo))
            XCTAssertEqual(decision.reply?.description, expected, helo)
        }
    }

    func testNonFQDNAddresses() async throws {
        let e = try Fixtures.evaluator([.sender: ["reject_non_fqdn_sender"], .recipient: ["reject_non_fqdn_recipient"]])
        let sender = await e.checkRecipient(context(sender: "joe@workstation"))
        XCTAssertEqual(sender.reply?.description, "504 5.5.2 <joe@workstation>: Sender address rejected: need fully-qualified address")
        let recipient = await e.checkRecipient(context(recipient: "joe@intranet"))
        XCTAssertEqual(recipient.reply?.description,
                       "504 5.5.2 <joe@intranet>: Recipient address rejected: need fully-qualified address")
        let bounce = await e.checkRecipient(PolicyContext(clientAddress: Fixtures.outside, sender: .null, recipient: rcpt))
        XCTAssertEqual(bounce, .permit)
    }

    func testUnlistedRecipient() async throws {
        let e = try Fixtures.evaluator([.recipient: ["reject_unlisted_recipient"]])
        let known = await e.checkRecipient(context(recipient: "Alice@LOCAL.example"))
        XCTAssertEqual(known, .permit)
        let unknown = await e.checkRecipient(context(recipient: "nobody@local.example"))
        XCTAssertEqual(unknown.reply?.description,
                       "550 5.1.1 <nobody@local.example>: Recipient address rejected: User unknown in virtual mailbox table")
        let relay = await e.checkRecipient(context(recipient: "nobody@relayed.example"))
        XCTAssertEqual(relay.reply?.description,
                       "550 5.1.1 <nobody@relayed.example>: Recipient address rejected: User unknown in relay recipient table")
        let full = await e.checkRecipient(context(recipient: "full@local.example"))
        XCTAssertEqual(full, .defer(PolicyReply(code: 452, enhancedCode: "4.2.2",
                                                text: "<full@local.example>: Recipient address rejected: Mailbox full")))
        let remote = await e.checkRecipient(context(recipient: "x@remote.example"))
        XCTAssertEqual(remote, .permit)  // not ours to judge; reject_unauth_destination is
    }

    /// A quoted local part the directory cannot hold is a permanent refusal with the
    /// syntax code, never "451 4.3.0 Temporary lookup failure" that senders retry for days.
    func testUnusableRecipientIsPermanent() async throws {
        let e = try Fixtures.evaluator([.recipient: ["reject_unlisted_recipient"]])
        let decision = await e.checkRecipient(context(recipient: #""../admin"@local.example"#))
        XCTAssertEqual(decision, .reject(PolicyReply(
            code: 553, enhancedCode: "5.1.3",
            text: #"<"../admin"@local.example>: Recipient address rejected: Bad recipient address syntax"#)))
    }

    func testDirectoryFailureDefers() async throws {
        var directory = StaticDirectory()
        directory.failing = true
        let e = try Fixtures.evaluator([.recipient: ["reject_unauth_destination"]], directory: directory)
        let decision = await e.checkRecipient(context())
        XCTAssertEqual(decision.reply?.description, "451 4.3.0 <alice@local.example>: Temporary lookup failure")
    }

    func testReplyClassFollowsCode() {
        XCTAssertEqual(PolicyReply(code: 450, enhancedCode: "5.1.8", text: "x").enhancedCode, "4.1.8")
        XCTAssertEqual(PolicyReply(code: 550, enhancedCode: "4.1.8", text: "x").enhancedCode, "5.1.8")
    }
}
