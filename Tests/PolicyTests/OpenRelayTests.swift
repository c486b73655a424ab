import MoatCore
import Policy
import XCTest

/// The classic relay tricks against `permit_mynetworks, reject_unauth_destination` with
/// local.example as our domain: every one is refused from outside mynetworks and
/// accepted from inside, as Postfix with allow_untrusted_routing=no does.
final class OpenRelayTests: XCTestCase {
    /// Parses as the SMTP side would; what `EmailAddress` refuses (source routes, broken
    /// domains) is split at the last unquoted "@" the way a lenient codec would pass it on.
    private static func recipient(_ text: String) -> EmailAddress {
        if let parsed = EmailAddress(parsing: text) { return parsed }
        let at = text.lastIndex(of: "@")!
        return EmailAddress(uncheckedLocalPart: String(text[..<at]), domain: String(text[text.index(after: at)...]))
    }

    static let tricks = [
        "victim@remote.example",
        "victim%remote.example@local.example",
        "victim%remote.example%local.example@local.example",
        "remote.example!victim@local.example",
        "local.example!remote.example!victim@local.example",
        "@local.example:victim@remote.example",
        "@remote.example:victim@local.example",
        "@a.example,@local.example:victim@remote.example",
        "\"victim@remote.example\"@local.example",
        "\"victim%remote.example\"@local.example",
        "\"remote.example!victim\"@local.example",
        "\"victim@remote.example\"",
        "victim@[192.0.2.1]",
        "victim@[IPv6:2001:db8::1]",
        "victim@192.0.2.1",
        "victim@local.example..",
        "victim@.local.example",
        "victim@remote.example.",
        "victim@REMOTE.EXAMPLE",
        "victim@Remote.Example.",
        "victim@local.example.remote.example",
        "victim@remote-local.example",
        "victim@locаl.example",  // Cyrillic а (U+0430)
        "victim@ｌocal.example",  // fullwidth ｌ (U+FF4C)
        "victim@local.exámple",
        "victim@localhost",
        "victim@local",
        "victim@example",
        "victim@remote.example@local.example",
        "victim@local.example\u{0}.remote.example",
    ]

    private func decide(_ evaluator: RestrictionEvaluator, _ ip: IPAddress, _ recipient: EmailAddress) async -> PolicyDecision {
        await evaluator.checkRecipient(PolicyContext(clientAddress: ip, helo: "client.example",
                                                     sender: Fixtures.address("someone@sender.example"), recipient: recipient))
    }

    func testEveryTrickIsRefusedFromOutsideAndAcceptedFromMynetworks() async throws {
        XCTAssertGreaterThanOrEqual(Self.tricks.count, 25)
        // Local parts of the literal/IP cases have no "." trouble; the unchecked domain
        // "local.example." below covers a trailing dot that reached us unparsed.
        let all = Self.tricks.map(Self.recipient) + [EmailAddress(uncheckedLocalPart: "victim", domain: "local.example.")]
        let e = try Fixtures.evaluator([.recipient: ["permit_mynetworks", "reject_unauth_destination"]])
        for address in all {
            let outside = await decide(e, Fixtures.outside, address)
            XCTAssertEqual(outside, .reject(PolicyReply(code: 554, enhancedCode: "5.7.1", text: "\(address.bracketed): Relay access denied")),
                           "\(address.localPart) @ \(address.domain)")
            let inside = await decide(e, Fixtures.inside, address)
            XCTAssertEqual(inside, .permit, "\(address)")
        }
    }

    func testOurOwnDomainsInEveryLegitimateSpelling() async throws {
        let e = try Fixtures.evaluator([.recipient: ["permit_mynetworks", "reject_unauth_destination"]])
        // Domains compare case-insensitively in ASCII; a trailing dot is dropped by parsing
        // as Postfix's rewriting drops it; relay_domains count as authorised.
        for text in ["alice@local.example", "Alice@LOCAL.EXAMPLE", "alice@local.example.", "\"alice smith\"@local.example",
                     "bob@relayed.example", "alice+tag@Local.Example"] {
            let decision = await decide(e, Fixtures.outside, Self.recipient(text))
            XCTAssertEqual(decision, .permit, text)
        }
    }

    func testRoutingClassification() {
        XCTAssertEqual(AddressRouting.routingTrick(in: Self.recipient("a%b.example@local.example")), "percent hack")
        XCTAssertEqual(AddressRouting.routingTrick(in: Self.recipient("b.example!a@local.example")), "bang path")
        XCTAssertEqual(AddressRouting.routingTrick(in: Self.recipient("@x.example:a@local.example")), "source route")
        XCTAssertEqual(AddressRouting.routingTrick(in: Self.recipient("\"a@b.example\"@local.example")), "'@' in local part")
        XCTAssertEqual(AddressRouting.routingTrick(in: Self.recipient("a@[192.0.2.1]")), "address literal")
        XCTAssertEqual(AddressRouting.routingTrick(in: Self.recipient("a@localhost")), "domain without a dot")
        XCTAssertNil(AddressRouting.routingTrick(in: Self.recipient("a.b+c@local.example")))
        XCTAssertEqual(AddressRouting.normalisedDomain("LOCAL.Example"), "local.example")
        XCTAssertEqual(AddressRouting.normalisedDomain("ＬOCAL.example"), "Ｌocal.example")  // no Unicode folding
    }
}
