import MoatCore
import XCTest
@testable import Filter

final class PolicyLocalDomainsTests: XCTestCase {
    private func addr(_ text: String) -> EmailAddress { EmailAddress(parsing: text)! }

    func testDotMatchesEverything() {
        let d = LocalDomains(["."])
        for a in ["a@example.com", "b@x.y.z.example", "c@[192.0.2.1]", "d@localhost"] {
            XCTAssertTrue(d.contains(addr(a)), a)
        }
    }

    func testEmptyMatchesNothing() {
        XCTAssertFalse(LocalDomains([]).contains(addr("a@example.com")))
    }

    func testLeadingDotMatchesDomainAndSubdomains() {
        let d = LocalDomains([".example.com"])
        XCTAssertTrue(d.contains(addr("a@example.com")))
        XCTAssertTrue(d.contains(addr("a@mail.example.com")))
        XCTAssertTrue(d.contains(addr("a@deep.sub.example.com")))
        XCTAssertFalse(d.contains(addr("a@badexample.com")))
        XCTAssertFalse(d.contains(addr("a@example.com.evil.org")))
        XCTAssertFalse(d.contains(addr("a@example.org")))
    }

    func testExactMatchesOnlyThatDomain() {
        let d = LocalDomains(["example.org"])
        XCTAssertTrue(d.contains(addr("a@example.org")))
        XCTAssertFalse(d.contains(addr("a@sub.example.org")))
        XCTAssertFalse(d.contains(addr("a@xexample.org")))
    }

    func testCaseInsensitive() {
        let d = LocalDomains([".Example.COM", "LOCAL.Test"])
        XCTAssertTrue(d.contains(addr("User@EXAMPLE.com")))
        XCTAssertTrue(d.contains(addr("u@Mail.Example.Com")))
        XCTAssertTrue(d.contains(addr("u@local.test")))
        XCTAssertTrue(d.contains(addr("u@LOCAL.TEST")))
    }

    func testTrailingDotAddress() {
        XCTAssertTrue(LocalDomains(["example.com"]).contains(addr("a@example.com.")))
    }

    func testSeveralPatterns() {
        let d = LocalDomains(["example.org", ".example.net"])
        XCTAssertTrue(d.contains(addr("a@example.org")))
        XCTAssertTrue(d.contains(addr("a@x.example.net")))
        XCTAssertFalse(d.contains(addr("a@x.example.org")))
    }
}

final class PolicyFilterPolicyTests: XCTestCase {
    private func policy(_ toml: String) throws -> FilterPolicy {
        FilterPolicy(config: try MoatConfig.parse(toml, file: "test.toml"))
    }

    func testDefaults() throws {
        let p = try policy("")
        XCTAssertEqual(p.destiny(for: .clean), .pass)
        XCTAssertEqual(p.destiny(for: .spammy), .pass)
        XCTAssertEqual(p.destiny(for: .badHeader), .pass)
        XCTAssertEqual(p.destiny(for: .spam), .pass)
        XCTAssertEqual(p.destiny(for: .banned), .bounce)
        XCTAssertEqual(p.destiny(for: .virus), .discard)
        XCTAssertTrue(p.quarantines(.virus))
        XCTAssertTrue(p.quarantines(.banned))
        XCTAssertTrue(p.quarantines(.spam))
        XCTAssertFalse(p.quarantines(.spammy))
        XCTAssertFalse(p.quarantines(.badHeader))
        XCTAssertFalse(p.quarantines(.clean))
        XCTAssertEqual(p.levels.tag, 2.0)
        XCTAssertEqual(p.levels.tag2, 6.31)
        XCTAssertEqual(p.levels.kill, 6.31)
        guard case .address(let admin) = p.admin else { return XCTFail("\(p.admin)") }
        XCTAssertEqual(admin, EmailAddress(uncheckedLocalPart: "postmaster", domain: "localhost"))
        XCTAssertEqual(p.noticeFrom, EmailAddress(uncheckedLocalPart: "postmaster", domain: "localhost"))
        XCTAssertEqual(p.policyBank, "RelayedInbound")
        XCTAssertEqual(p.subjectTag, "***SPAM*** ")
    }

    func testConfiguredDestinies() throws {
        let p = try policy("""
            [filter]
            hostname = "gw.example.com"
            local_domains = [".example.com"]
            [spam]
            destiny = "bounce"
            quarantine = false
            tag_level = -9999
            tag2_level = 5
            kill_level = 12
            [virus]
            destiny = "reject"
            [banned]
            destiny = "discard"
            [notify]
            admin = ""
            from = "moat@example.com"
            """)
        XCTAssertEqual(p.destiny(for: .spam), .bounce)
        XCTAssertEqual(p.destiny(for: .spammy), .pass)
        XCTAssertEqual(p.destiny(for: .virus), .reject)
        XCTAssertEqual(p.destiny(for: .banned), .discard)
        XCTAssertEqual(p.destiny(for: .clean), .pass)
        XCTAssertFalse(p.quarantines(.spam))
        XCTAssertTrue(p.quarantines(.virus))
        XCTAssertTrue(p.quarantines(.banned))
        XCTAssertEqual(p.levels.tag, -9999)
        XCTAssertEqual(p.levels.tag2, 5)
        XCTAssertEqual(p.levels.kill, 12)
        guard case .nobody = p.admin else { return XCTFail("\(p.admin)") }
        XCTAssertEqual(p.noticeFrom.description, "moat@example.com")
        XCTAssertEqual(p.hostname, "gw.example.com")
        XCTAssertEqual(p.xHeaderLine, "Moat at gw.example.com")
        XCTAssertTrue(p.localDomains.contains(EmailAddress(uncheckedLocalPart: "a", domain: "x.example.com")))
        XCTAssertFalse(p.localDomains.contains(EmailAddress(uncheckedLocalPart: "a", domain: "example.org")))
    }

    func testCategoryOrderingAndNames() {
        XCTAssertEqual(ContentCategory.allCases.sorted(), [.clean, .badHeader, .spammy, .spam, .banned, .virus])
        XCTAssertEqual(ContentCategory.allCases.map(\.logName), ["CLEAN", "BAD-HEADER", "SPAMMY", "SPAM", "BANNED", "INFECTED"])
        XCTAssertEqual(ContentCategory.spammy.quarantineCategory, ContentCategory.spam.quarantineCategory)
    }
}
