import DNS

/// One `urirhsbl`/`urirhssub` rule (Plugin::URIDNSBL), evaluated by `check_uridnsbl`.
public struct URIBLRule: Sendable {
    public var name: String
    public var zone: String
    public var type: DNSRecordType
    /// nil for `urirhsbl` (any A answer in 127/8, or any TXT answer, is a hit).
    public var subtest: URIBLSubtest?
    /// tflags `notrim`: query the full host name, not its registrable domain (Bug 7835).
    public var notrim: Bool
    /// tflags `ips_only` / `domains_only`.
    public var ipsOnly: Bool
    public var domainsOnly: Bool

    public init(name: String, zone: String, type: DNSRecordType = .a, subtest: URIBLSubtest? = nil,
                notrim: Bool = false, ipsOnly: Bool = false, domainsOnly: Bool = false) {
        self.name = name
        self.zone = RBLRule.trimZone(zone)
        self.type = type
        self.subtest = subtest
        self.notrim = notrim
        self.ipsOnly = ipsOnly
        self.domainsOnly = domainsOnly
    }

    /// `urirhsbl NAME zone TYPE`; nil for a lookup type other than A or TXT.
    public static func urirhsbl(_ name: String, zone: String, type: String) -> URIBLRule? {
        guard let t = DNSRecordType(rawValue: type.uppercased()) else { return nil }
        return URIBLRule(name: name, zone: zone, type: t)
    }

    /// `urirhssub NAME zone TYPE subtest`; nil when the type or subtest is invalid.
    public static func urirhssub(_ name: String, zone: String, type: String, subtest: String) -> URIBLRule? {
        guard let t = DNSRecordType(rawValue: type.uppercased()), let s = URIBLSubtest(subtest) else { return nil }
        return URIBLRule(name: name, zone: zone, type: t, subtest: s)
    }
}

/// SpamAssassin's URIBL checks (Plugin::URIDNSBL `check_dnsbl`, `query_hosts_or_domains`,
/// `complete_dnsbl_lookup`) for the RHSBL kind: each URI host is trimmed to its registrable
/// domain (Public Suffix List), skip-listed domains and hosts are dropped, at most
/// `maxDomains` hosts are used, public IPv4 literals are looked up reversed, and each
/// rule's zone is asked `domain.zone`.
///
/// Not here: `uridnsbl`/`uridnssub`/`urinsrhsbl` (lookups of the domain's NS or A records
/// first, then of those addresses): they need NS lookups the `Resolver` does not offer yet.
public struct URIBLChecker: Sendable {
    public let rules: [URIBLRule]
    public let publicSuffixes: PublicSuffixList
    /// `uridnsbl_skip_domain` entries, lower case.
    public let skipDomains: Set<String>
    /// `uridnsbl_max_domains` (default 20).
    public let maxDomains: Int

    public init(rules: [URIBLRule], publicSuffixes: PublicSuffixList, skipDomains: Set<String> = [], maxDomains: Int = 20) {
        self.rules = rules
        self.publicSuffixes = publicSuffixes
        self.skipDomains = Set(skipDomains.map { $0.lowercased() })
        self.maxDomains = maxDomains
    }

    /// One URI host to check and the name looked up for it.
    public struct Target: Sendable, Equatable {
        public var host: String
        /// The registrable domain, or the address for an IPv4 literal.
        public var domain: String
        public var isIP: Bool
    }

    /// The hosts that will be checked, first `maxDomains` distinct ones in the given order
    /// (the caller passes them in SpamAssassin's priority: anchors with text first).
    public func targets(hosts: [String]) -> [Target] {
        var out: [Target] = []
        var seen = Set<String>()
        for raw in hosts {
            guard out.count < maxDomains else { break }
            var host = raw.lowercased()
            while host.hasSuffix(".") { host.removeLast() }
            guard !host.isEmpty, seen.insert(host).inserted else { continue }
            if IPAddressText.ipv4(host) != nil {
                // Only public IPv4 literals are looked up; private ones and IPv6 are skipped.
                guard !IPAddressText.isPrivate(host), !skipDomains.contains(host) else { continue }
                out.append(Target(host: host, domain: host, isIP: true))
            } else if host.hasPrefix("[") || host.contains(":") {
                continue
            } else if host.allSatisfy(\.isASCII), let domain = publicSuffixes.registrableDomain(host) {
                guard !skipDomains.contains(domain), !skipDomains.contains(host) else { continue }
                out.append(Target(host: host, domain: domain, isIP: false))
            }
        }
        return out
    }

    /// The question a rule asks for one target, or nil when its tflags exclude the target.
    public func query(_ rule: URIBLRule, _ target: Target) -> DNSQuery? {
        if target.isIP {
            guard !rule.domainsOnly, let reversed = IPAddressText.reversed(target.domain) else { return nil }
            return DNSQuery("\(reversed).\(rule.zone)", rule.type)
        }
        guard !rule.ipsOnly else { return nil }
        return DNSQuery("\(rule.notrim ? target.host : target.domain).\(rule.zone)", rule.type)
    }

    public func queries(hosts: [String]) -> [DNSQuery] {
        var seen = Set<DNSQuery>()
        var out: [DNSQuery] = []
        let targets = targets(hosts: hosts)
        for rule in rules {
            for t in targets {
                if let q = query(rule, t), seen.insert(q).inserted { out.append(q) }
            }
        }
        return out
    }

    /// Rules that hit, in rule order; details are `URI: domain` as SpamAssassin logs them.
    public func hits(hosts: [String], answers: NetworkAnswers) -> [NetworkHit] {
        let targets = targets(hosts: hosts)
        var out: [NetworkHit] = []
        for rule in rules {
            var details: [String] = []
            for t in targets {
                guard let q = query(rule, t), let records = answers[q] else { continue }
                let listed = records.contains { rdata in
                    if let subtest = rule.subtest { return subtest.matches(rdata) }
                    // A plain rule: an A answer outside 127/8 is bogus, any TXT counts.
                    return rule.type == .txt || rdata.hasPrefix("127.")
                }
                let detail = "URI: \(t.domain)"
                if listed, !details.contains(detail) { details.append(detail) }
            }
            if !details.isEmpty { out.append(NetworkHit(rule: rule.name, details: details)) }
        }
        return out
    }

    public func check(hosts: [String], resolver: any Resolver, budget: Duration) async -> [NetworkHit] {
        let answers = await NetworkChecks.run(queries(hosts: hosts), resolver: resolver, budget: budget)
        return hits(hosts: hosts, answers: answers)
    }

    /// The host of an absolute URI (`http://user@Host.Example:8080/x` → `host.example`), for
    /// callers holding URI strings; nil when there is no authority part.
    public static func host(ofURI uri: String) -> String? {
        guard let schemeEnd = uri.range(of: "://") else { return nil }
        var rest = uri[schemeEnd.upperBound...]
        if let end = rest.firstIndex(where: { "/?#\\".contains($0) }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            return String(rest[...close]).lowercased()
        }
        if let colon = rest.firstIndex(of: ":") { rest = rest[..<colon] }
        return rest.isEmpty ? nil : rest.lowercased()
    }
}
