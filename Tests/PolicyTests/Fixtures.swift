import DNS
import MoatCore
import Policy

/// The caller's directory as the MX would implement it over its tables: fixed sets here.
struct StaticDirectory: RecipientDirectory {
    var localDomains: Set<String> = ["local.example"]
    var relayDomains: Set<String> = ["relayed.example"]
    var mailboxes: Set<String> = ["alice@local.example", "bob@relayed.example"]
    var overQuota: Set<String> = ["full@local.example"]
    /// Addresses no mailbox can have, as the directory refuses `"../admin"@…`.
    var unusable: Set<String> = ["../admin@local.example"]
    var failing = false

    struct LookupFailed: Error {}

    func isLocalDomain(_ domain: String) async throws -> Bool {
        if failing { throw LookupFailed() }
        return localDomains.contains(domain)
    }

    func isRelayDomain(_ domain: String) async throws -> Bool {
        if failing { throw LookupFailed() }
        return relayDomains.contains(domain)
    }

    func recipientExists(_ address: EmailAddress, size: Int?) async throws -> RecipientStatus {
        let key = "\(address.localPart.lowercased())@\(address.domain.lowercased())"
        if overQuota.contains(key) { return .overQuota }
        if unusable.contains(key) { return .unusable }
        return mailboxes.contains(key) ? .exists : .unknown
    }
}

/// For tests of restrictions that never reach the DNS: every question "could not be
/// asked", so a test that did reach the DNS by mistake sees a failure, not a silent pass.
struct UnreachableDNS: Resolver {
    private func fail(_ name: String) -> DNSError { .servfail("\(name) (no DNS in this test)") }
    func lookupA(_ name: String) async throws -> [String] { throw fail(name) }
    func lookupAAAA(_ name: String) async throws -> [String] { throw fail(name) }
    func lookupTXT(_ name: String) async throws -> [String] { throw fail(name) }
    func lookupMX(_ name: String) async throws -> [MXRecord] { throw fail(name) }
    func lookupPTR(_ address: IPAddress) async throws -> [String] { throw fail(address.description) }
}

enum Fixtures {
    static let outside = IPAddress("203.0.113.9")!
    static let inside = IPAddress("192.168.1.20")!
    static let mynetworks = try! NetworkSet(["127.0.0.0/8", "192.168.0.0/16", "2001:db8::/32"])

    static func evaluator(
        _ config: [PolicyStage: [String]], directory: StaticDirectory = StaticDirectory(),
        resolver: any Resolver = UnreachableDNS(), codes: RejectCodes = RejectCodes()
    ) throws -> RestrictionEvaluator {
        let policy = try RestrictionPolicy(parsing: config, mynetworks: mynetworks, codes: codes)
        return RestrictionEvaluator(policy: policy, resolver: resolver, directory: directory)
    }

    static func address(_ text: String) -> EmailAddress {
        EmailAddress(parsing: text)!
    }
}
