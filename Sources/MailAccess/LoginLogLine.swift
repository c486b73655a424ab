/// The log lines of a login attempt in Dovecot's shape, which fail2ban's `dovecot` filter
/// and log watchers already read:
///
///     imap-login: Login: user=<alice@example.com>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1, TLS
///     imap-login: Disconnected (auth failed, 3 attempts): user=<alice@example.com>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1
///     imap-login: Aborted login (tried to use disallowed plaintext auth): user=<>, rip=192.0.2.7, lip=192.0.2.1
public struct LoginLogLine: Sendable, Equatable {
    /// `imap` or `pop3`.
    public var service: String
    public var user: String?
    public var method: String?
    public var remoteAddress: String?
    public var localAddress: String?
    public var tls: Bool

    public init(service: String, user: String?, method: String?, remoteAddress: String?, localAddress: String?, tls: Bool) {
        self.service = service
        self.user = user
        self.method = method
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
        self.tls = tls
    }

    /// `Login: user=<…>, …`.
    public var login: String { line("Login") }

    /// `Disconnected (auth failed, N attempts): …` when the client leaves or is sent away
    /// after failed logins.
    public func authFailed(attempts: Int) -> String {
        line("Disconnected (auth failed, \(attempts) attempts)")
    }

    /// `Aborted login (tried to use disallowed plaintext auth): …`.
    public var plaintextRefused: String { line("Aborted login (tried to use disallowed plaintext auth)") }

    private func line(_ event: String) -> String {
        // A user name comes from the network: keep it printable and on one line.
        let shownUser = String((user ?? "").unicodeScalars.map { $0.value < 0x20 || $0 == ">" ? "?" : Character($0) }.prefix(256))
        var fields = ["user=<\(shownUser)>"]
        if let method { fields.append("method=\(method)") }
        fields.append("rip=\(remoteAddress ?? "unknown")")
        fields.append("lip=\(localAddress ?? "unknown")")
        if tls { fields.append("TLS") }
        return "\(service)-login: \(event): " + fields.joined(separator: ", ")
    }
}
