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
    /// Owner of the Maildirs and messages Moat delivers; empty = the account `moat serve`
    /// runs as (`[service] user`). Another owner needs root: Moat would have to give files away.
    public var maildirOwner = ""
    /// Their group; empty = the owner's group. Set it to the group an IMAP server (Dovecot's
    /// `mail_gid`) reads with, together with a group-readable `maildirMode`; `moat serve` keeps
    /// it as a supplementary group when it drops privileges, so it may hand files to it.
    public var maildirGroup = ""
    /// Mode of Maildir directories; messages get the same without the execute bits (Dovecot
    /// derives file modes from directory modes the same way). Owner rwx always, never
    /// world-writable.
    public var maildirMode: UInt16 = 0o700

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
        maildirOwner = s.string("maildir_owner", default: maildirOwner)
        maildirGroup = s.string("maildir_group", default: maildirGroup)
        let modeText = s.string("maildir_mode", default: "0700")
        if let mode = MaildirModeText.parse(modeText) {
            maildirMode = mode
        } else {
            s.report("maildir_mode", "expected an octal mode with owner rwx and no world write, e.g. \"0700\" or \"0750\", found '\(modeText)'")
        }
        for (key, value) in [("maildir_owner", maildirOwner), ("maildir_group", maildirGroup)] where !AccountName.isPlausible(value) {
            s.report(key, "'\(value)' is not a user or group name")
        }
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

/// `maildir_mode` as written in the config: octal digits ("0750"), as chmod(1) and
/// Postfix/Dovecot write modes.
enum MaildirModeText {
    static func parse(_ text: String) -> UInt16? {
        guard (3...4).contains(text.count), let mode = UInt16(text, radix: 8), mode <= 0o777 else { return nil }
        // The owner must be able to deliver (rwx); world-writable mail would let any local
        // user plant or delete messages.
        guard mode & 0o700 == 0o700, mode & 0o002 == 0 else { return nil }
        return mode
    }
}
