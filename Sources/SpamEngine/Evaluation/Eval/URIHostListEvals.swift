import MIME

/// WLBLEval's URI host lists (SpamAssassin 4.0.1): `enlist_uri_host (LIST) host …` (a
/// leading `!` makes an entry a "no"), `delist_uri_host [(LIST)] host …`, and the
/// `blocklist_uri_host` / `welcomelist_uri_host` shorthands for the lists BLOCK and WELCOME;
/// `check_uri_host_listed('LIST')` hits when a URI host of the message, or a parent domain
/// of it, is listed "yes" (the most specific entry decides).
struct URIHostLists: Sendable {
    /// List name → host → verdict.
    private(set) var lists: [String: [String: Bool]] = [:]

    init(_ config: RuleConfiguration) {
        let keys = ["enlist_uri_host", "delist_uri_host", "blocklist_uri_host", "welcomelist_uri_host"]
        // Directives apply in file order (a delist only undoes what came before it).
        let entries = keys.flatMap { key in (config.directives[key] ?? []).map { (key, $0.value, $0.location) } }
            .sorted { ($0.2.file, $0.2.line) < ($1.2.file, $1.2.line) }
        for (key, value, _) in entries { apply(key, value) }
    }

    private mutating func apply(_ key: String, _ value: String) {
        var rest = Substring(value)
        var listName: String?
        if rest.hasPrefix("("), let close = rest.firstIndex(of: ")") {
            listName = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        }
        let hosts = rest.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        switch key {
        case "enlist_uri_host":
            guard let listName, !hosts.isEmpty else { return }
            enlist(hosts, in: listName)
        case "delist_uri_host":
            for name in listName.map({ [$0] }) ?? Array(lists.keys) {
                for host in hosts { lists[name]?[Self.unmarked(host)] = nil }
            }
        default:
            enlist(value.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init),
                   in: key == "blocklist_uri_host" ? "BLOCK" : "WELCOME")
        }
    }

    private mutating func enlist(_ hosts: [String], in name: String) {
        for host in hosts { lists[name, default: [:]][Self.unmarked(host)] = !host.hasPrefix("!") }
    }

    private static func unmarked(_ host: String) -> String { host.hasPrefix("!") ? String(host.dropFirst()) : host }

    /// `_check_uri_host_listed`: the lists each URI host of the message is listed "yes" in.
    func listed(hosts: [String]) -> Set<String> {
        var out = Set<String>()
        for host in hosts {
            let keys = Self.queryKeys(host)
            for (name, entries) in lists {
                // the most specific entry decides
                if let verdict = keys.lazy.compactMap({ entries[$0] }).first, verdict { out.insert(name) }
            }
        }
        return out
    }

    /// `sub.example.com`, `example.com`, `com` (at most the last 11); an address literal or
    /// an IPv4 address only as itself.
    static func queryKeys(_ host: String) -> [String] {
        if host.hasPrefix("["), host.hasSuffix("]") { return [String(host.dropFirst().dropLast())] }
        if RelayEvals.isIPv4(host) { return [host] }
        guard !host.isEmpty else { return [] }
        var keys: [String] = []
        var h = Substring(host)
        while true {
            if keys.count > 10 { keys.removeFirst() }
            keys.append(String(h))
            guard let dot = h.firstIndex(of: ".") else { break }
            h = h[h.index(after: dot)...]
        }
        return keys
    }
}

enum URIHostListEvals {
    private static let listedKey = SAMemoKey<Set<String>>()

    static func register(into registry: inout EvalRegistry, config: RuleConfiguration) {
        let lists = URIHostLists(config)
        @Sendable func listed(_ input: EvalInput, _ name: String) -> Int {
            guard let message = input.message else { return 0 }
            let names = message.memoized(listedKey) { lists.listed(hosts: hosts(of: message)) }
            return names.contains(name) ? 1 : 0
        }
        registry.register("check_uri_host_listed") { input in
            guard let name = input.arguments.first else { return 0 }
            return listed(input, name)
        }
        for (function, name) in [("check_uri_host_in_blocklist", "BLOCK"), ("check_uri_host_in_blacklist", "BLOCK"),
                                 ("check_uri_host_in_welcomelist", "WELCOME"), ("check_uri_host_in_whitelist", "WELCOME")] {
            registry.register(function) { listed($0, name) }
        }
    }

    /// The hosts of `get_uri_detail_list` (mailto: URIs skipped): each URI's host when
    /// `uri_to_domain` accepts it (a valid domain or an IP address), once each.
    static func hosts(of message: SAMessage) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for uri in message.uris {
            if uri.count >= 7, EvalSupport.lower(Array(uri[0..<7])) == Array("mailto:".utf8) { continue }
            guard let host = URICanonicalizer.uriHost(uri).map({ String(decoding: $0, as: UTF8.self) }),
                  seen.insert(host).inserted else { continue }
            out.append(host)
        }
        return out
    }
}

extension EvalRegistry {
    /// WLBLEval's URI host list functions.
    public mutating func registerURIHostListEvals(config: RuleConfiguration) {
        URIHostListEvals.register(into: &self, config: config)
    }
}
