import MoatCore

/// Where SMTP delivery for a group of recipients goes: Postfix's "nexthop". Recipients
/// with the same next hop share SMTP sessions.
enum NextHop: Sendable, Hashable, CustomStringConvertible {
    /// The MX hosts of `domain` (a recipient's domain, or a relayhost written `host[:port]`),
    /// on `port`. `backupMX`: we are a backup MX for the domain, so only MX hosts preferred
    /// over us may take the mail.
    case mx(domain: String, port: Int, backupMX: Bool)
    /// A relayhost written `[host]:port`: that host's own addresses, no MX lookup.
    case host(String, port: Int)

    /// The next hop for a remote recipient in `domain`: the relayhost when one is set.
    static func forDomain(_ domain: String, relayhost: RelayhostText?, smtpPort: Int, backupMX: Bool) -> NextHop {
        guard let relayhost else { return .mx(domain: domain.lowercased(), port: smtpPort, backupMX: backupMX) }
        if relayhost.lookUpMX { return .mx(domain: relayhost.host.lowercased(), port: relayhost.port, backupMX: false) }
        return .host(relayhost.host, port: relayhost.port)
    }

    /// `example.com` or `[relay.example]:587`, as Postfix names destinations in logs.
    var description: String {
        switch self {
        case .mx(let domain, _, _): domain
        case .host(let host, let port): "[\(host)]:\(port)"
        }
    }
}
