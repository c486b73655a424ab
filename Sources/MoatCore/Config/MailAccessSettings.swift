/// `[auth]`: how IMAP and POP3 logins are checked, for both at once (Dovecot's auth
/// process serves both too, with one penalty table).
public struct AuthSettings: Sendable, Equatable {
    /// Dovecot's auth penalty: the delay after a first failed login from an address,
    /// doubling with each further failure (2 s, 4 s, 8 s…).
    public var penalty: Duration = .seconds(2)
    /// The longest penalty (Dovecot: 15 s).
    public var penaltyMax: Duration = .seconds(15)
    /// Networks whose connections may send passwords without TLS (Dovecot treats loopback
    /// as secured with `disable_plaintext_auth = yes`). Everyone else needs STARTTLS/STLS
    /// or the TLS port first.
    public var securedNetworks = ["127.0.0.0/8", "::1"]

    public init() {}

    init(_ s: ConfigSection) {
        penalty = s.duration("penalty", default: penalty)
        penaltyMax = s.duration("penalty_max", default: penaltyMax)
        securedNetworks = s.strings("secured_networks", default: securedNetworks)
        if penalty < .zero { s.report("penalty", "must not be negative") }
        if penaltyMax < penalty { s.report("penalty_max", "must be at least penalty") }
        do {
            let reach = NetworkReach(try NetworkSet(securedNetworks))
            if reach.extent >= .wide {
                s.report("secured_networks", "covers \(reach.summary): passwords from there would cross networks in the "
                         + "clear; list only networks you trust as much as loopback")
            }
        } catch {
            s.report("secured_networks", "\(error)")
        }
    }
}

/// What an IMAP or POP3 listener pair shares: `listen` (STARTTLS/STLS offered when the
/// certificate exists), `listen_tls` (TLS from the first byte), limits and the certificate.
public struct MailListenerSettings: Sendable, Equatable {
    public var enabled = true
    /// `host:port`; empty: off.
    public var listen: String
    /// `host:port` for implicit TLS (993, 995); empty: off.
    public var listenTLS = ""
    /// Concurrent sessions in all.
    public var maxConnections = 1000
    /// Concurrent sessions from one client address (0: no limit).
    public var maxConnectionsPerClient = 50
    /// Dovecot's `mail_max_userip_connections`: sessions per user and address.
    public var maxUserConnections = 10
    /// Time a client may stay silent.
    public var idleTimeout: Duration
    /// After `OK`/`+OK` in the greeting. Names no software.
    public var greeting = "ready."
    public var tls = MXSettings.TLS()

    init(listen: String, idleTimeout: Duration, enabled: Bool = true) {
        self.enabled = enabled
        self.listen = listen
        self.idleTimeout = idleTimeout
    }

    init(_ s: ConfigSection, defaults: MailListenerSettings, minimumIdle: Duration) {
        self = defaults
        enabled = s.bool("enabled", default: enabled)
        listen = s.string("listen", default: listen)
        listenTLS = s.string("listen_tls", default: listenTLS)
        maxConnections = s.int("max_connections", default: maxConnections, range: 1...100_000)
        maxConnectionsPerClient = s.int("max_connections_per_client", default: maxConnectionsPerClient, range: 0...100_000)
        maxUserConnections = s.int("max_user_connections", default: maxUserConnections, range: 1...10_000)
        idleTimeout = s.duration("idle_timeout", default: idleTimeout)
        greeting = s.string("greeting", default: greeting)
        let t = s.subsection("tls")
        tls.certificate = t.path("certificate", default: tls.certificate)
        tls.key = t.path("key", default: tls.key)
        for (key, value) in [("listen", listen), ("listen_tls", listenTLS)] where !value.isEmpty {
            if let problem = EndpointText.problem(value, allowLMTP: false) { s.report(key, problem) }
        }
        if enabled && listen.isEmpty && listenTLS.isEmpty { s.report("enabled", "true, but neither listen nor listen_tls is set") }
        if idleTimeout < minimumIdle {
            s.report("idle_timeout", "must be at least \(minimumIdle.components.seconds / 60) minutes (the protocol's autologout floor)")
        }
        if greeting.contains("\r") || greeting.contains("\n") { s.report("greeting", "must be one line") }
    }
}

/// `[pop3]`: the POP3 listeners over the users' INBOX.
public struct POP3Settings: Sendable, Equatable {
    /// Off by default (Debian ships Dovecot's POP3 as a package of its own).
    public var listener = MailListenerSettings(listen: "127.0.0.1:1110", idleTimeout: .seconds(600), enabled: false)
    /// Dovecot's `pop3_uidl_format`: `%u` the UID, `%v` the UIDVALIDITY, `%f` the Maildir base
    /// name; `%08Xu` pads with zeros and writes hex. Keep Dovecot's default (or what it was set
    /// to) and clients that move from Dovecot download nothing twice.
    public var uidlFormat = "%08Xu%08Xv"

    public init() {}

    init(_ s: ConfigSection) {
        // RFC 1939 §3: the autologout timer is at least 10 minutes.
        listener = MailListenerSettings(s, defaults: listener, minimumIdle: .seconds(600))
        uidlFormat = s.string("uidl_format", default: uidlFormat)
        if let problem = UIDLFormat.problem(uidlFormat) { s.report("uidl_format", problem) }
    }
}

/// `[imap]`: the IMAP listeners over the users' Maildirs.
public struct IMAPSettings: Sendable, Equatable {
    /// On by default on loopback (the embedded default's 1143); production: 143 and 993.
    public var listener = MailListenerSettings(listen: "127.0.0.1:1143", idleTimeout: .seconds(1800))
    /// APPENDLIMIT (RFC 7889): the largest message a client may store.
    public var appendLimit = 50 << 20
    /// The name of each user's read-only view of what was quarantined for them; "" for none.
    public var quarantineFolder = "Quarantine"

    public init() {}

    init(_ s: ConfigSection) {
        // RFC 9051 §5.4: the autologout timer is at least 30 minutes.
        listener = MailListenerSettings(s, defaults: listener, minimumIdle: .seconds(1800))
        appendLimit = s.byteSize("append_limit", default: appendLimit)
        if appendLimit < 1024 { s.report("append_limit", "must be at least 1K") }
        quarantineFolder = s.string("quarantine_folder", default: quarantineFolder)
        if let problem = Self.problem(quarantineFolder: quarantineFolder) { s.report("quarantine_folder", problem) }
    }

    /// Why `name` cannot be the Quarantine view's name: it must be a plain top-level name
    /// that is none of the mailboxes every user has.
    static func problem(quarantineFolder name: String) -> String? {
        guard !name.isEmpty else { return nil }
        let reserved = ["INBOX", "Drafts", "Sent", "Trash", "Junk"]
        if reserved.contains(where: { $0.uppercased() == name.uppercased() }) {
            return "must not be one of \(reserved.joined(separator: ", "))"
        }
        let allowed = name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil || " -_".unicodeScalars.contains($0) }
        guard allowed, name.count <= 64, name.first != " ", name.last != " " else {
            return "must be a top-level name of letters, digits, spaces, '-' and '_' (at most 64)"
        }
        return nil
    }
}
