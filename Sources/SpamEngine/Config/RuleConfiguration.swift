/// Everything read from a set of rule directories, in SpamAssassin's semantics (later
/// files override earlier ones; `score` may come before or after the rule). Immutable
/// input to the rule compiler.
public struct RuleConfiguration: Sendable {
    /// Rules by name; the last definition wins, with its scores/describe/tflags merged in.
    public var rules: [String: RuleDefinition] = [:]
    /// Rule names in first-definition order (stable output and priorities).
    public var order: [String] = []
    /// `required_score` (SpamAssassin's spam/ham line), default 5.0.
    public var requiredScore: Double = 5.0
    /// `rewrite_header Subject|From|To TEXT`.
    public var rewriteHeaders: [String: String] = [:]
    /// `add_header spam|ham|all Name Value`.
    public var addHeaders: [(when: String, name: String, value: String)] = []
    /// `trusted_networks` / `internal_networks` / `msa_networks` entries (CIDR or IP, `!` negation kept).
    public var trustedNetworks: [String] = []
    public var internalNetworks: [String] = []
    /// `msa_networks` entries (added by the rule loader; the contract above had no place for them).
    public var msaNetworks: [String] = []
    /// `welcomelist_from` / `whitelist_from` and `blocklist_from` / `blacklist_from` glob patterns.
    public var welcomelistFrom: [String] = []
    public var blocklistFrom: [String] = []
    /// `welcomelist_from_rcvd ADDR DOMAIN` pairs (and the `whitelist_` spelling).
    public var welcomelistFromRcvd: [(address: String, relayDomain: String)] = []
    /// Plugins treated as loaded (`loadplugin`, and those Moat implements natively), for `ifplugin`.
    public var loadedPlugins: Set<String> = []
    /// Directives Moat keeps for other components, by name, in file order: `uridnsbl`,
    /// `urirhssub`, `urirhsbl`, `uridnsbl_skip_domain`, `freemail_domains`, `util_rb_tld`,
    /// `util_rb_2tld`, `util_rb_3tld`, `bayes_*`, `report`, `clear_report_template`…
    public var directives: [String: [(value: String, location: SourceLocation)]] = [:]
    /// Lint findings: errors and warnings with file:line.
    public var diagnostics: [LintMessage] = []
    /// `RuleLoader`'s state between files (scores seen before their rule, raw tests before
    /// ReplaceTags expansion), so `RuleLoader.parse(text:file:into:)` can be called per file.
    var parserState = RuleParserState()

    public init() {}

    /// Number of rules of each kind (sub-rules included), for `moat rules lint`.
    public var countsByKind: [RuleKind: Int] {
        var counts: [RuleKind: Int] = [:]
        for rule in rules.values { counts[rule.kind, default: 0] += 1 }
        return counts
    }
}
