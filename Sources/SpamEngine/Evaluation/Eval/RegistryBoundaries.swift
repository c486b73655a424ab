/// The parts of SpamAssassin's `RegistryBoundaries` the ported evals need, built from the
/// `util_rb_tld` / `util_rb_2tld` / `util_rb_3tld` directives: `split_domain`,
/// `trim_domain`, `is_domain_valid` and the `valid_tlds_re` alternation.
public struct EvalRegistryBoundaries: Sendable {
    public var validTLDs: Set<String> = []
    public var twoLevelDomains: Set<String> = []
    public var threeLevelDomains: Set<String> = []

    static let usStates: Set<String> = [
        "ak", "al", "ar", "az", "ca", "co", "ct", "dc", "de", "fl", "ga", "gu", "hi", "ia", "id", "il", "in", "ks",
        "ky", "la", "ma", "md", "me", "mi", "mn", "mo", "ms", "mt", "nc", "nd", "ne", "nh", "nj", "nm", "nv", "ny",
        "oh", "ok", "or", "pa", "pr", "ri", "sc", "sd", "tn", "tx", "ut", "va", "vi", "vt", "wa", "wi", "wv", "wy",
    ]

    public init() {}

    public init(config: RuleConfiguration) {
        func words(_ key: String) -> Set<String> {
            var set: Set<String> = []
            for entry in config.directives[key] ?? [] {
                for word in entry.value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                    set.insert(word.lowercased())
                }
            }
            return set
        }
        validTLDs = words("util_rb_tld")
        twoLevelDomains = words("util_rb_2tld")
        threeLevelDomains = words("util_rb_3tld")
    }

    /// `split_domain($domain, 1)`: (host part, registrable domain).
    public func splitDomain(_ input: String) -> (host: String, domain: String) {
        var domain = input.lowercased()
        guard !domain.isEmpty else { return ("", "") }
        // tr/././s; s/^\.+//; s/\.+$//;
        var squeezed = ""
        for char in domain where !(char == "." && squeezed.last == ".") { squeezed.append(char) }
        domain = String(squeezed.drop(while: { $0 == "." }))
        while domain.last == "." { domain.removeLast() }
        var parts = domain.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if domain.isEmpty { parts = [] }
        var host: [String] = []
        while parts.count > 1 {
            if parts.count == 2 {
                if twoLevelDomains.contains(parts.joined(separator: ".")) { break }
            } else if parts.count == 3 {
                if parts[2] == "us" {
                    if Self.usStates.contains(parts[1]) { break }
                } else if threeLevelDomains.contains(parts.joined(separator: ".")) {
                    break
                }
            } else if parts.count == 4 {
                if parts[3] == "us" && ((parts[0] == "pvt" && parts[1] == "k12") || parts[0] == "ci" || parts[0] == "co") {
                    if Self.usStates.contains(parts[2]) { break }
                }
            }
            host.append(parts.removeFirst())
        }
        if let last = host.popLast() { parts.insert(last, at: 0) }
        return (host.joined(separator: "."), parts.joined(separator: "."))
    }

    public func trimDomain(_ domain: String) -> String { splitDomain(domain).domain }

    /// `is_domain_valid($dom, 1)`.
    public func isDomainValid(_ input: String) -> Bool {
        let domain = input.lowercased()
        if domain.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }) {
            return false
        }
        guard let dot = domain.lastIndex(of: "."), domain.index(after: dot) < domain.endIndex else { return false }
        let tld = domain[domain.index(after: dot)...]
        guard !tld.contains(".") else { return false }
        return validTLDs.contains(String(tld))
    }

    /// `valid_tlds_re` as a PCRE fragment (caseless is the caller's).
    public var validTLDsPattern: String {
        guard !validTLDs.isEmpty else { return "no_tlds_defined" }
        return "(?<![a-zA-Z0-9-])(?:" + validTLDs.sorted().map { EvalSupport.quoteMeta(Array($0.utf8)) }
            .joined(separator: "|") + ")(?!(?:[a-zA-Z0-9-]|\\.[a-zA-Z0-9]))"
    }
}
