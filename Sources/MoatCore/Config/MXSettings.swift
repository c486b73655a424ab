/// `[mx]`: the inbound MX listener (Postfix smtpd's settings, with its names and defaults
/// where it has them), its STARTTLS pair `[mx.tls]` and its restriction lists
/// `[mx.restrictions]`.
public struct MXSettings: Sendable {
    /// Run the MX listener at all.
    public var enabled = true
    /// `host:port`; production: `0.0.0.0:25`.
    public var listen = "127.0.0.1:2525"
    /// Postfix `myhostname`: the greeting, EHLO reply, Received header and bounces.
    public var hostname = FilterSettings.systemHostname
    /// Postfix `smtpd_banner` after the 220 code; `$hostname` is replaced. The default names
    /// no software, as the issue (and good practice) asks.
    public var banner = "$hostname ESMTP"
    /// Clients trusted to relay (Postfix `mynetworks`), IPv4 and IPv6 CIDR.
    public var mynetworks = ["127.0.0.0/8", "::1/128"]
    /// Consent to a mynetworks wider than a site's own nets (more than a /16 of public IPv4
    /// or a /32 of public IPv6); a list covering every public address is refused regardless.
    public var mynetworksWide = false
    /// Domains accepted for relaying to their own MX (Postfix `relay_domains`).
    public var relayDomains: [String] = []
    /// Postfix `message_size_limit`.
    public var maxMessageSize = 10_240_000
    /// Postfix `smtpd_recipient_limit`.
    public var maxRecipients = 1000
    /// Concurrent sessions in all (Postfix's smtpd process limit).
    public var maxConnections = 100
    /// Postfix `smtpd_client_connection_count_limit` (mynetworks exempt, as Postfix's
    /// smtpd_client_event_limit_exceptions).
    public var maxConnectionsPerClient = 50
    /// Postfix `smtpd_timeout`.
    public var idleTimeout: Duration = .seconds(300)
    /// Stress timeout, DATA rate, session cap and per-client connection rate (on by default
    /// here, 60 a minute: the MX faces the internet; mynetworks exempt).
    public var guards = ListenerGuardSettings(clientConnectionRateLimit: 60)
    /// Postfix `smtpd_error_sleep_time`, `smtpd_soft_error_limit`, `smtpd_hard_error_limit`.
    public var errorSleepTime: Duration = .seconds(1)
    public var softErrorLimit = 10
    public var hardErrorLimit = 20
    /// Postfix `smtpd_helo_required`.
    public var heloRequired = false
    /// Run the content filter before the final reply to DATA.
    public var filter = true
    /// Longest the sending server waits for the filter; past it the message is accepted
    /// and filtered from the queue.
    public var filterBudget: Duration = .seconds(30)
    /// Budget for the client's PTR + forward lookups.
    public var clientLookupTimeout: Duration = .seconds(10)
    public var tls = TLS()
    public var restrictions = Restrictions()

    /// `[mx.tls]`: the certificate chain and key (PEM) for STARTTLS; STARTTLS is offered
    /// only when both files exist (`make run` creates a self-signed pair at the defaults).
    public struct TLS: Sendable, Equatable {
        public var certificate = "var/tls/cert.pem"
        public var key = "var/tls/key.pem"

        public init() {}
    }

    /// `[mx.restrictions]`: Postfix restriction lists, evaluated at RCPT
    /// (smtpd_delay_reject = yes) in the order client, helo, sender, relay, recipient;
    /// `data` at DATA.
    public struct Restrictions: Sendable, Equatable {
        public var client: [String] = []
        public var helo: [String] = []
        public var sender: [String] = []
        /// Postfix ≥ 2.10 `smtpd_relay_restrictions`: the open-relay safety net.
        public var relay = ["permit_mynetworks", "permit_sasl_authenticated", "reject_unauth_destination"]
        public var recipient: [String] = []
        /// Postfix's default is empty; refusing clients that talk ahead of the 354 costs
        /// nothing legitimate and stops a class of spamware.
        public var data = ["reject_unauth_pipelining"]

        public init() {}
    }

    public init() {}

    /// The domain a bare `RCPT TO:<postmaster>` (RFC 5321 §4.1.1.3) is delivered to, as
    /// Postfix appends `$myorigin`: the hostname's parent domain (`mx.example.com` →
    /// `example.com`), or the hostname itself when it has fewer than three labels.
    public var postmasterDomain: String {
        let labels = hostname.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 3 ? labels.dropFirst().joined(separator: ".") : hostname
    }

    /// The banner with `$hostname` substituted.
    public var greeting: String { banner.replacingOccurrences(of: "$hostname", with: hostname) }

    init(_ s: ConfigSection) {
        enabled = s.bool("enabled", default: enabled)
        listen = s.string("listen", default: listen)
        hostname = s.string("hostname", default: hostname)
        banner = s.string("banner", default: banner)
        mynetworks = s.strings("mynetworks", default: mynetworks)
        mynetworksWide = s.bool("mynetworks_wide", default: mynetworksWide)
        relayDomains = s.strings("relay_domains", default: relayDomains)
        maxMessageSize = s.byteSize("max_message_size", default: maxMessageSize)
        maxRecipients = s.int("max_recipients", default: maxRecipients, range: 1...100_000)
        maxConnections = s.int("max_connections", default: maxConnections, range: 1...100_000)
        maxConnectionsPerClient = s.int("max_connections_per_client", default: maxConnectionsPerClient, range: 0...100_000)
        idleTimeout = s.duration("idle_timeout", default: idleTimeout)
        guards = ListenerGuardSettings(s, defaults: guards)
        errorSleepTime = s.duration("error_sleep_time", default: errorSleepTime)
        softErrorLimit = s.int("soft_error_limit", default: softErrorLimit, range: 1...10_000)
        hardErrorLimit = s.int("hard_error_limit", default: hardErrorLimit, range: 1...10_000)
        heloRequired = s.bool("helo_required", default: heloRequired)
        filter = s.bool("filter", default: filter)
        filterBudget = s.duration("filter_budget", default: filterBudget)
        clientLookupTimeout = s.duration("client_lookup_timeout", default: clientLookupTimeout)

        let t = s.subsection("tls")
        tls.certificate = t.path("certificate", default: tls.certificate)
        tls.key = t.path("key", default: tls.key)

        let r = s.subsection("restrictions")
        func list(_ key: String, _ value: [String]) -> [String] {
            RestrictionListText.resolvingAccessTables(r.strings(key, default: value)) { r.resolved(key, $0) }
        }
        restrictions.client = list("client", restrictions.client)
        restrictions.helo = list("helo", restrictions.helo)
        restrictions.sender = list("sender", restrictions.sender)
        restrictions.relay = list("relay", restrictions.relay)
        restrictions.recipient = list("recipient", restrictions.recipient)
        restrictions.data = list("data", restrictions.data)

        if let problem = EndpointText.problem(listen, allowLMTP: false) { s.report("listen", problem) }
        if hostname.isEmpty || hostname.contains(" ") { s.report("hostname", "must be a host name") }
        if softErrorLimit > hardErrorLimit { s.report("soft_error_limit", "must not exceed hard_error_limit (\(hardErrorLimit))") }
        if filterBudget <= .zero { s.report("filter_budget", "must be positive") }
        do {
            let measured = NetworkReach(try NetworkSet(mynetworks))
            switch measured.extent {
            case .everything:
                s.report("mynetworks", "covers \(measured.summary): every client could relay; list your own networks")
            case .wide where !mynetworksWide:
                s.report("mynetworks", "covers \(measured.summary), wider than a site's own networks; "
                         + "set mynetworks_wide = true if every client there may relay")
            case .wide, .site:
                break
            }
        } catch {
            s.report("mynetworks", "\(error)")
        }
        let gate = RelayGate(relay: restrictions.relay, recipient: restrictions.recipient)
        if let open = gate.openRelay { r.report(open.key, open.problem) }
    }
}
