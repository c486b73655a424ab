/// `[delivery]`: how queued mail leaves: into local Maildirs of the virtual domains, or by
/// SMTP to the next hop (Postfix's virtual(8) and smtp(8) settings, with their names where
/// they have one).
public struct DeliverySettings: Sendable, Equatable {
    /// Postfix `relayhost`: empty = look up the recipient domain's MX; `[host]:port` = that
    /// host, no MX lookup; `host:port` or `host` = the MX hosts of `host`.
    public var relayhost = ""
    /// The port of MX hosts found in DNS (25; tests point it at a loopback sink).
    public var smtpPort = 25
    /// Postfix `smtp_connect_timeout`.
    public var connectTimeout: Duration = .seconds(30)
    /// Time allowed for one whole outbound SMTP transaction after connecting.
    public var transactionTimeout: Duration = .seconds(600)
    /// Postfix `smtp_tls_security_level`: `may` uses STARTTLS when offered (unverified,
    /// opportunistic), `none` never.
    public var tlsSecurityLevel = TLSLevel.may
    /// Postfix `recipient_delimiter`: `alice+news@` is delivered to `alice@`; empty = off.
    public var recipientDelimiter = "+"
    /// The Maildir++ folder that spam goes to (created when missing).
    public var junkFolder = "Junk"

    public enum TLSLevel: String, Sendable, CaseIterable { case none, may }

    public init() {}

    init(_ s: ConfigSection) {
        relayhost = s.string("relayhost", default: relayhost)
        smtpPort = s.int("smtp_port", default: smtpPort, range: 1...65_535)
        connectTimeout = s.duration("connect_timeout", default: connectTimeout)
        transactionTimeout = s.duration("transaction_timeout", default: transactionTimeout)
        tlsSecurityLevel = s.choice("tls_security_level", default: tlsSecurityLevel)
        recipientDelimiter = s.string("recipient_delimiter", default: recipientDelimiter)
        junkFolder = s.string("junk_folder", default: junkFolder)
        if recipientDelimiter.count > 1 { s.report("recipient_delimiter", "must be one character or empty") }
        if junkFolder.isEmpty || junkFolder.contains("/") { s.report("junk_folder", "must be a folder name without '/'") }
        if !relayhost.isEmpty, RelayhostText(relayhost) == nil {
            s.report("relayhost", "expected host, host:port or [host]:port, found '\(relayhost)'")
        }
    }
}

/// Postfix's relayhost syntax: `[host]:port` (no MX lookup) or `host[:port]` (MX lookup).
public struct RelayhostText: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// False for `[host]`: connect to the host itself, not its MX hosts.
    public var lookUpMX: Bool

    public init(host: String, port: Int, lookUpMX: Bool) {
        self.host = host
        self.port = port
        self.lookUpMX = lookUpMX
    }

    public init?(_ text: String, defaultPort: Int = 25) {
        var rest = Substring(text)
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            lookUpMX = false
            rest = rest[rest.index(after: close)...]
        } else {
            let colon = rest.lastIndex(of: ":")
            host = String(colon.map { rest[..<$0] } ?? rest)
            lookUpMX = true
            rest = colon.map { rest[$0...] } ?? ""
        }
        if rest.isEmpty {
            port = defaultPort
        } else {
            guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()), (1...65_535).contains(p) else { return nil }
            port = p
        }
        guard !host.isEmpty, !host.contains(" ") else { return nil }
    }
}
