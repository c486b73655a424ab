import DNS
import PCRE

/// The relay addresses of one message, as SpamAssassin's DNSEval `parsed_metadata` builds
/// them from the parsed Received headers. Order as in the headers: newest (nearest to us)
/// first.
public struct RelayIPs: Sendable, Equatable {
    /// IPs of the untrusted relays (`relays_untrusted`).
    public var untrusted: [String]
    /// IPs of every relay outside `internal_networks`: the external trusted relays followed
    /// by the untrusted ones (`dnseval_fullexternal`), for `-lastexternal`/`-notfirsthop`.
    public var external: [String]
    /// Addresses from originating-IP headers (`originating_ip_headers`, e.g. X-Originating-IP).
    public var originating: [String]

    public init(untrusted: [String], external: [String]? = nil, originating: [String] = []) {
        self.untrusted = untrusted
        self.external = external ?? untrusted
        self.originating = originating
    }
}

/// One `check_rbl`, `check_rbl_txt` or `check_rbl_sub` eval rule.
public struct RBLRule: Sendable {
    public enum Kind: Sendable {
        /// `check_rbl(set, zone[, subtest])` (A) and `check_rbl_txt` (TXT): queries the zone.
        case lookup(zone: String, type: DNSRecordType, subtest: RBLSubtest?)
        /// `check_rbl_sub(set, subtest)`: no query of its own, matches the answers of the
        /// `check_rbl` rules of the same set.
        case sub(RBLSubtest)
    }

    public var name: String
    public var set: String
    public var kind: Kind
    /// tflags `nice`: trusted relays are queried too (DNSWLs).
    public var isNice: Bool

    public init(name: String, set: String, kind: Kind, isNice: Bool = false) {
        self.name = name
        self.set = set
        self.kind = kind
        self.isNice = isNice
    }

    /// `eval:check_rbl('set', 'zone.'[, 'subtest'])`; a trailing dot on the zone is dropped.
    public static func checkRBL(_ name: String, set: String, zone: String, subtest: String? = nil, isNice: Bool = false) throws(PCREError) -> RBLRule {
        RBLRule(name: name, set: set, kind: .lookup(zone: trimZone(zone), type: .a, subtest: try subtest.map { s throws(PCREError) in try RBLSubtest(s) }), isNice: isNice)
    }

    /// `eval:check_rbl_txt('set', 'zone.'[, 'subtest'])`.
    public static func checkRBLTXT(_ name: String, set: String, zone: String, subtest: String? = nil, isNice: Bool = false) throws(PCREError) -> RBLRule {
        RBLRule(name: name, set: set, kind: .lookup(zone: trimZone(zone), type: .txt, subtest: try subtest.map { s throws(PCREError) in try RBLSubtest(s) }), isNice: isNice)
    }

    /// `eval:check_rbl_sub('set', 'subtest')`.
    public static func checkRBLSub(_ name: String, set: String, subtest: String, isNice: Bool = false) throws(PCREError) -> RBLRule {
        RBLRule(name: name, set: set, kind: .sub(try RBLSubtest(subtest)), isNice: isNice)
    }

    static func trimZone(_ zone: String) -> String {
        var z = zone.lowercased()
        while z.hasSuffix(".") { z.removeLast() }
        return z
    }
}

/// A network rule that hit, with SpamAssassin's log text (`1.2.3.4 listed in zone`, or the
/// TXT answer).
public struct NetworkHit: Sendable, Equatable {
    public var rule: String
    public var details: [String]

    public init(rule: String, details: [String]) {
        self.rule = rule
        self.details = details
    }
}

/// SpamAssassin's DNSBL checks over the relay IPs (Plugin::DNSEval `_check_rbl_backend`,
/// Dns.pm `process_dnsbl_result`): which relays each rule queries, the reversed-address
/// questions, and how answers become hits for `check_rbl` and the `check_rbl_sub` rules
/// sharing its set. Pure: `queries` then `hits`; `check` runs both around `NetworkChecks`.
public struct RBLChecker: Sendable {
    public let rules: [RBLRule]
    /// `trusted_networks` membership.
    public let isTrusted: @Sendable (String) -> Bool
    /// `num_check_received` (default 9): at most this many relays per rule.
    public let numCheckReceived: Int

    public init(rules: [RBLRule], isTrusted: @escaping @Sendable (String) -> Bool = { _ in false }, numCheckReceived: Int = 9) {
        self.rules = rules
        self.isTrusted = isTrusted
        self.numCheckReceived = numCheckReceived
    }

    /// The relays a lookup rule of `set` queries, in order (`_check_rbl_backend`).
    public func ips(for set: String, isNice: Bool = false, relays: RelayIPs) -> [String] {
        let baseIPs = Self.uniqueAndPublic(relays.untrusted)
        // parsed_metadata: nothing is checked when there is neither an untrusted relay nor
        // an originating address.
        guard !baseIPs.isEmpty || !relays.originating.isEmpty else { return [] }
        let untrustedOriginating = relays.originating.filter { !$0.isEmpty && !isTrusted($0) }
        var ips: [String]
        if set.hasSuffix("-lastexternal") || set.hasSuffix("-notfirsthop") {
            // The external set includes third-party relays the user trusts; originating
            // headers are left out (webmail relays are not in dial-up lists).
            ips = Self.uniqueAndPublic(relays.external)
            if set.hasSuffix("-lastexternal") {
                ips = ips.first.map { [$0] } ?? []
            } else if ips.count > 1 {
                ips.removeLast()
            }
        } else if set.hasSuffix("-firsttrusted") || set.hasSuffix("-untrusted") {
            ips = Self.uniqueAndPublic(baseIPs + untrustedOriginating)
            if set.hasSuffix("-firsttrusted") {
                ips = ips.first.map { [$0] } ?? []
            } else if !ips.isEmpty {
                ips.removeFirst()
            }
        } else {
            ips = Self.uniqueAndPublic(baseIPs + untrustedOriginating).reversed()
        }
        if ips.count > numCheckReceived { ips.removeLast(ips.count - numCheckReceived) }
        // Trusted relays are only checked by nice rules (DNSWLs).
        if !isNice {
            while let first = ips.first, isTrusted(first) { ips.removeFirst() }
        }
        return ips
    }

    /// Every question the rules ask for this message, without repeats.
    public func queries(relays: RelayIPs) -> [DNSQuery] {
        var seen = Set<DNSQuery>()
        var out: [DNSQuery] = []
        for rule in rules {
            for q in questions(for: rule, relays: relays) where seen.insert(q).inserted { out.append(q) }
        }
        return out
    }

    /// The rules that hit, in rule order, given the answers to `queries(relays:)`.
    public func hits(relays: RelayIPs, answers: NetworkAnswers) -> [NetworkHit] {
        var hits: [String: [String]] = [:]
        func hit(_ rule: String, _ detail: String) {
            if !(hits[rule]?.contains(detail) ?? false) { hits[rule, default: []].append(detail) }
        }
        // (set, rdata, log line) of every usable answer of each set's lookup rules.
        var setAnswers: [String: [(String, String)]] = [:]
        for rule in rules {
            guard case .lookup(let zone, let type, let subtest) = rule.kind else { continue }
            for query in questions(for: rule, relays: relays) {
                for rdata in answers[query] ?? [] {
                    // Only A answers inside 127.0.0.0/8 mean "listed".
                    if type == .a, !rdata.hasPrefix("127.") { continue }
                    let log = type == .txt ? rdata : Self.listedLog(query.name, zone: zone)
                    if subtest?.matches(rdata) ?? true { hit(rule.name, log) }
                    setAnswers[rule.set, default: []].append((rdata, log))
                }
            }
        }
        for rule in rules {
            guard case .sub(let subtest) = rule.kind else { continue }
            for (rdata, log) in setAnswers[rule.set] ?? [] where subtest.matches(rdata) { hit(rule.name, log) }
        }
        return rules.compactMap { rule in hits.removeValue(forKey: rule.name).map { NetworkHit(rule: rule.name, details: $0) } }
    }

    /// Issues the queries under `budget` and returns the hits.
    public func check(relays: RelayIPs, resolver: any Resolver, budget: Duration) async -> [NetworkHit] {
        let answers = await NetworkChecks.run(queries(relays: relays), resolver: resolver, budget: budget)
        return hits(relays: relays, answers: answers)
    }

    private func questions(for rule: RBLRule, relays: RelayIPs) -> [DNSQuery] {
        guard case .lookup(let zone, let type, _) = rule.kind else { return [] }
        return ips(for: rule.set, isNice: rule.isNice, relays: relays).compactMap { ip in
            IPAddressText.reversed(ip).map { DNSQuery("\($0).\(zone)", type) }
        }
    }

    /// `ip_list_uniq_and_strip_private`: first occurrence kept, private addresses dropped.
    static func uniqueAndPublic(_ ips: [String]) -> [String] {
        var seen = Set<String>()
        return ips.filter { !$0.isEmpty && seen.insert($0).inserted && !IPAddressText.isPrivate($0) }
    }

    /// `dnsbl_hit`'s log text: `a.b.c.d listed in zone`.
    static func listedLog(_ question: String, zone: String) -> String {
        let label = question.hasSuffix("." + zone) ? String(question.dropLast(zone.count + 1)) : question
        let parts = label.split(separator: ".")
        if parts.count == 4 { return "\(parts.reversed().joined(separator: ".")) listed in \(zone)" }
        if parts.count == 32 {
            let hex = parts.reversed().joined()
            var groups: [String] = []
            var i = hex.startIndex
            while i < hex.endIndex {
                let j = hex.index(i, offsetBy: 4)
                var g = String(hex[i..<j])
                while g.count > 1, g.hasPrefix("0") { g.removeFirst() }
                groups.append(g)
                i = j
            }
            return "\(groups.joined(separator: ":")) listed in \(zone)"
        }
        return "listed in \(question)"
    }
}
