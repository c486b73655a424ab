import PCRE

/// An address list as SpamAssassin's `add_to_addrlist` builds it: each glob lowercased and
/// turned into `^…$` (`*` → `.*`, `?` → `.`, other non-word characters escaped).
public struct EvalAddressList: Sendable {
    private(set) var entries: [(address: String, regex: PCRERegex, glob: AddressGlob)] = []
    /// Built by `compileMatcher` once the list is complete (an `add` drops it): the entry
    /// addresses as bytes when all are ASCII (then byte equality is String equality).
    private var asciiAddresses: Set<[UInt8]>?

    public init(_ globs: [String] = []) {
        for glob in globs { add(glob) }
        compileMatcher()
    }

    mutating func compileMatcher() {
        asciiAddresses = entries.allSatisfy { $0.address.utf8.allSatisfy { $0 < 0x80 } }
            ? Set(entries.map { Array($0.address.utf8) }) : nil
    }

    static func pattern(_ glob: String) -> String {
        var re = ""
        for token in AddressGlob(glob).tokens {
            switch token {
            case .star: re += ".*"
            case .any: re += "."
            case .byte(let b) where EvalSupport.isWordByte(b): re.unicodeScalars.append(Unicode.Scalar(b))
            case .byte(let b): re += EvalSupport.quoteMeta([b])
            }
        }
        return "^" + re + "$"
    }

    mutating func add(_ glob: String) {
        let address = glob.lowercased()
        asciiAddresses = nil
        entries.removeAll { $0.address == address }
        // Entries whose pattern PCRE refuses are dropped, as SpamAssassin's eval would fail.
        if let regex = try? PCRERegex(Self.pattern(glob)) { entries.append((address, regex, AddressGlob(glob))) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// `_check_welcomelist($list, $addr)`.
    public func contains(_ address: [UInt8]) -> Bool {
        guard !entries.isEmpty else { return false }
        let lower = EvalSupport.lower(address)
        if let asciiAddresses, lower.allSatisfy({ $0 < 0x80 }) {
            if asciiAddresses.contains(lower) { return true }
        } else {
            // String equality is canonical equivalence: compare as Strings.
            let text = EvalSupport.text(lower)
            if entries.contains(where: { $0.address == text }) { return true }
        }
        // Each entry's /^…$/ on the lowercased address, matched as the glob it came from.
        guard let subject = AddressGlob.subject(lower) else { return false }
        return entries.contains { $0.glob.matches(subject) }
    }
}

/// One relay of SpamAssassin's relay lists, as printed in `X-Spam-Relays-*`.
struct EvalRelay: Equatable, Sendable {
    var ip: String
    var rdns: String
}

/// Port of `Mail::SpamAssassin::Plugin::WLBLEval` (4.0.1): the from/to welcome- and
/// blocklists, `enlist_addrlist` lists and the `*_from_rcvd` checks.
public struct WLBLEvals: Sendable {
    typealias S = EvalSupport

    var welcomelistFrom: EvalAddressList
    var blocklistFrom: EvalAddressList
    var namedLists: [String: EvalAddressList] = [:]
    /// `welcomelist_from_rcvd` / `def_welcomelist_from_rcvd`: address glob → relay domains.
    var welcomelistFromRcvd: [(regex: PCRERegex, address: String, domains: [String])] = []
    var defWelcomelistFromRcvd: [(regex: PCRERegex, address: String, domains: [String])] = []
    var welcomelistAllowsRelays: EvalAddressList

    public init(config: RuleConfiguration) {
        welcomelistFrom = EvalAddressList(config.welcomelistFrom)
        blocklistFrom = EvalAddressList(config.blocklistFrom)
        func words(_ value: String) -> [String] {
            value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        func list(_ keys: [String]) -> EvalAddressList {
            var result = EvalAddressList()
            for key in keys { for entry in config.directives[key] ?? [] { for w in words(entry.value) { result.add(w) } } }
            result.compileMatcher()
            return result
        }
        for (name, keys) in [("welcomelist_to", ["welcomelist_to", "whitelist_to"]),
                             ("blocklist_to", ["blocklist_to", "blacklist_to"]),
                             ("more_spam_to", ["more_spam_to"]), ("all_spam_to", ["all_spam_to"])] {
            let l = list(keys)
            if !l.isEmpty { namedLists[name] = l }
        }
        welcomelistAllowsRelays = list(["welcomelist_allows_relays", "whitelist_allows_relays"])
        for entry in config.directives["enlist_addrlist"] ?? [] {
            // `(LISTNAME) addr addr …`
            let value = entry.value.drop(while: { $0 == " " || $0 == "\t" })
            guard value.hasPrefix("("), let close = value.firstIndex(of: ")"), close > value.index(after: value.startIndex) else { continue }
            let name = String(value[value.index(after: value.startIndex)..<close])
            var l = namedLists[name] ?? EvalAddressList()
            for w in words(String(value[value.index(after: close)...])) { l.add(w) }
            namedLists[name] = l
        }
        for name in namedLists.keys { namedLists[name]?.compileMatcher() }
        func rcvd(_ pairs: [(String, String)]) -> [(regex: PCRERegex, address: String, domains: [String])] {
            var out: [(regex: PCRERegex, address: String, domains: [String])] = []
            for (address, domain) in pairs {
                let lower = address.lowercased()
                if let index = out.firstIndex(where: { $0.address == lower }) {
                    out[index].domains.append(domain.lowercased())
                } else if let regex = try? PCRERegex(EvalAddressList.pattern(lower)) {
                    out.append((regex, lower, [domain.lowercased()]))
                }
            }
            return out
        }
        welcomelistFromRcvd = rcvd(config.welcomelistFromRcvd.map { ($0.address, $0.relayDomain) })
        var defPairs: [(String, String)] = []
        for key in ["def_welcomelist_from_rcvd", "def_whitelist_from_rcvd"] {
            for entry in config.directives[key] ?? [] {
                let w = words(entry.value)
                if w.count == 2 { defPairs.append((w[0], w[1])) }
            }
        }
        defWelcomelistFromRcvd = rcvd(defPairs)
    }

    // MARK: - Relays

    private static let relayEntry = S.regex("\\[ ([^\\]]*)\\]")
    private static let relayIP = S.regex("(?:^| )ip=(\\S*)")
    private static let relayRDNS = S.regex("(?:^| )rdns=(\\S*)")

    private static let untrustedRelaysKey = SAMemoKey<[EvalRelay]>()
    private static let trustedRelaysKey = SAMemoKey<[EvalRelay]>()

    /// Relays from the `X-Spam-Relays-Trusted` / `-Untrusted` pseudo-headers, parsed once
    /// per message.
    static func relays(_ subject: any RuleSubject, trusted: Bool) -> [EvalRelay] {
        let name = trusted ? "X-Spam-Relays-Trusted" : "X-Spam-Relays-Untrusted"
        return S.memo(subject, trusted ? trustedRelaysKey : untrustedRelaysKey) { relays(subject, name) }
    }

    /// Relays from the `X-Spam-Relays-Trusted` / `-Untrusted` pseudo-headers.
    static func relays(_ subject: any RuleSubject, _ name: String) -> [EvalRelay] {
        guard let text = S.get(subject, name) else { return [] }
        return S.allMatches(relayEntry, text).compactMap { match in
            guard let range = match[1] else { return nil }
            let entry = Array(text[range])
            let ip = S.captures(relayIP, entry)?[1].map(S.text) ?? ""
            let rdns = S.captures(relayRDNS, entry)?[1].map { S.text(S.lower($0)) } ?? ""
            return EvalRelay(ip: ip, rdns: rdns)
        }
    }

    /// `_check_welcomelist_rcvd`: 1 matched with a matching relay, -1 address matched but
    /// relay did not (possible forgery), 0 no entry.
    func checkRcvd(_ subject: any RuleSubject, _ list: [(regex: PCRERegex, address: String, domains: [String])],
                   _ address: [UInt8]) -> Int {
        // No entries: nothing can match or be forged (the relays need not be read).
        guard !list.isEmpty else { return 0 }
        let untrusted = Self.relays(subject, trusted: false)
        let trusted = Self.relays(subject, trusted: true)
        guard untrusted.count + trusted.count > 0 else { return 0 }
        let relays = untrusted.isEmpty ? trusted : [untrusted[0]]
        let lower = S.lower(address)
        var foundForged = 0
        for entry in list {
            guard entry.regex.firstMatch(in: lower) != nil else { continue }
            for domain in entry.domains {
                if relays.contains(where: { Self.relayMatches($0, domain) }) { return 1 }
                foundForged = -1
            }
        }
        if foundForged != 0 && welcomelistAllowsRelays.entries.contains(where: { $0.regex.firstMatch(in: lower) != nil }) {
            foundForged = 0
        }
        return foundForged
    }

    /// A relay against one `*_from_rcvd` domain: an rDNS suffix, or `[IP]` / `[IPv4 prefix]` /
    /// `[a.b.c.d/len]` (IPv6 literals are not supported and never match).
    static func relayMatches(_ relay: EvalRelay, _ domain: String) -> Bool {
        if domain.hasPrefix("["), let close = domain.firstIndex(of: "]") {
            var wl = String(domain[domain.index(after: domain.startIndex)..<close])
            let rest = domain[domain.index(after: close)...]
            if rest.hasPrefix("/") { wl += rest }
            guard !relay.ip.isEmpty else { return false }
            let parts = wl.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 4 && parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
                return wl == relay.ip
            }
            if !wl.isEmpty && wl.allSatisfy({ $0 == "." || ($0.isASCII && $0.isNumber) }) {
                var prefix = wl
                while prefix.last == "." { prefix.removeLast() }
                prefix += "."
                return relay.ip.hasPrefix(prefix)
            }
            return cidrContains(wl, relay.ip)
        }
        let rdns = relay.rdns
        return rdns == domain || rdns.hasSuffix("." + domain)
    }

    static func ipv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let n = UInt32(part), n <= 255 else { return nil }
            value = value << 8 | n
        }
        return value
    }

    static func cidrContains(_ cidr: String, _ ip: String) -> Bool {
        let pieces = cidr.split(separator: "/")
        guard pieces.count == 2, let bits = Int(pieces[1]), bits >= 0, bits <= 32,
              let network = ipv4(pieces[0]), let address = ipv4(Substring(ip)) else { return false }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - UInt32(bits))
        return network & mask == address & mask
    }

    // MARK: - Address sources

    /// `all_to_addrs` (first address of each header; Received `for <addr>` of the top three).
    static func allToAddresses(_ subject: any RuleSubject) -> [[UInt8]] {
        var addresses: [[UInt8]] = []
        let resent = ["Resent-To:addr", "Resent-Cc:addr"].flatMap { S.list(subject, $0) }
        if !resent.isEmpty {
            addresses = resent
        } else {
            for line in S.instances(subject, "Received").prefix(3) {
                if let c = S.captures(receivedFor, line), let address = c[1], let domain = c[2],
                   domain.contains(UInt8(ascii: ".")) {
                    addresses.append(address)
                }
            }
            for name in ["To", "Apparently-To", "Delivered-To", "Envelope-Recipients", "Apparently-Resent-To",
                         "X-Envelope-To", "Envelope-To", "X-Delivered-To", "X-Original-To", "X-Rcpt-To", "X-Real-To", "Cc"] {
                addresses += S.list(subject, name + ":addr")
            }
        }
        var seen: Set<[UInt8]> = []
        return addresses.filter { seen.insert($0).inserted }
    }

    private static let receivedFor = S.regex(" for <?(\\S+\\@(\\S+?))>?;")

    // MARK: - Evals

    func fromInWelcomelistState(_ subject: any RuleSubject) -> Int {
        var found = 0
        for address in FreeMailEvals.allFromAddresses(subject) {
            if welcomelistFrom.contains(address) { return 1 }
            let wh = checkRcvd(subject, welcomelistFromRcvd, address)
            if wh == 1 { return 1 }
            if wh == -1 { found = -1 }
        }
        return found
    }

    func fromInDefaultWelcomelistState(_ subject: any RuleSubject) -> Int {
        var found = 0
        for address in FreeMailEvals.allFromAddresses(subject) {
            let wh = checkRcvd(subject, defWelcomelistFromRcvd, address)
            if wh == 1 { return 1 }
            if wh == -1 { found = -1 }
        }
        return found
    }

    public func checkFromInWelcomelist(_ input: EvalInput) -> Bool { fromInWelcomelistState(input.subject) > 0 }

    public func checkForgedInWelcomelist(_ input: EvalInput) -> Bool {
        fromInWelcomelistState(input.subject) < 0 && fromInDefaultWelcomelistState(input.subject) == 0
    }

    public func checkFromInDefaultWelcomelist(_ input: EvalInput) -> Bool { fromInDefaultWelcomelistState(input.subject) > 0 }

    public func checkForgedInDefaultWelcomelist(_ input: EvalInput) -> Bool {
        fromInDefaultWelcomelistState(input.subject) < 0 && fromInWelcomelistState(input.subject) == 0
    }

    public func checkFromInBlocklist(_ input: EvalInput) -> Bool {
        FreeMailEvals.allFromAddresses(input.subject).contains(where: blocklistFrom.contains)
    }

    func checkTo(_ input: EvalInput, list name: String) -> Bool {
        guard let list = namedLists[name] else { return false }
        return Self.allToAddresses(input.subject).contains(where: list.contains)
    }

    public func checkFromInList(_ input: EvalInput) -> Bool {
        guard let name = input.arguments.first, let list = namedLists[name] else { return false }
        return FreeMailEvals.allFromAddresses(input.subject).contains(where: list.contains)
    }

    public func checkReplyToInList(_ input: EvalInput) -> Bool {
        guard let name = input.arguments.first, let list = namedLists[name] else { return false }
        guard let replyTo = S.get(input.subject, "Reply-To:addr"), !replyTo.isEmpty else { return false }
        return list.contains(replyTo)
    }

    public func checkToInList(_ input: EvalInput) -> Bool {
        guard let name = input.arguments.first else { return false }
        return checkTo(input, list: name)
    }
}

extension EvalRegistry {
    /// Registers the WLBLEval plugin's functions (both SpamAssassin 4 and legacy names).
    public mutating func registerWLBLEvals(config: RuleConfiguration) {
        let wlbl = WLBLEvals(config: config)
        let functions: [(names: [String], function: @Sendable (EvalInput) -> Bool)] = [
            (["check_from_in_welcomelist", "check_from_in_whitelist"], { wlbl.checkFromInWelcomelist($0) }),
            (["check_forged_in_welcomelist", "check_forged_in_whitelist"], { wlbl.checkForgedInWelcomelist($0) }),
            (["check_from_in_default_welcomelist", "check_from_in_default_whitelist"], { wlbl.checkFromInDefaultWelcomelist($0) }),
            (["check_forged_in_default_welcomelist", "check_forged_in_default_whitelist"],
             { wlbl.checkForgedInDefaultWelcomelist($0) }),
            (["check_from_in_blocklist", "check_from_in_blacklist"], { wlbl.checkFromInBlocklist($0) }),
            (["check_to_in_blocklist", "check_to_in_blacklist"], { wlbl.checkTo($0, list: "blocklist_to") }),
            (["check_to_in_welcomelist", "check_to_in_whitelist"], { wlbl.checkTo($0, list: "welcomelist_to") }),
            (["check_to_in_more_spam"], { wlbl.checkTo($0, list: "more_spam_to") }),
            (["check_to_in_all_spam"], { wlbl.checkTo($0, list: "all_spam_to") }),
            (["check_from_in_list"], { wlbl.checkFromInList($0) }),
            (["check_replyto_in_list"], { wlbl.checkReplyToInList($0) }),
            (["check_to_in_list"], { wlbl.checkToInList($0) }),
        ]
        for entry in functions {
            for name in entry.names {
                let function = entry.function
                register(name) { function($0) ? 1 : 0 }
            }
        }
    }
}
