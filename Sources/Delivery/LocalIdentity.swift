import MoatCore

/// Who "we" are to the SMTP client: the name it greets with, and the names and addresses
/// that mean "this mail system" when an MX lookup returns them. Postfix spots itself by
/// the addresses it listens on (`inet_interfaces`, `proxy_interfaces`); RFC 5321 §5.1
/// also asks to compare host names, which catches an MX behind NAT.
///
/// Delivery compares MX hosts against this set to refuse loops ("mail for X loops back to
/// myself", 5.4.6) and, for backup-MX domains, to use only MX hosts preferred over us.
/// `moat serve` should pass the addresses its MX front end listens on; wildcard listeners
/// (0.0.0.0, ::) stand for every interface address, which the caller must list.
public struct LocalIdentity: Sendable, Equatable {
    /// Our name in EHLO/HELO (Postfix `smtp_helo_name = $myhostname`); also one of `names`.
    public var hostname: String
    /// Lowercase host names without the trailing dot, `hostname` included.
    public var names: Set<String>
    public var addresses: Set<IPAddress>

    /// - Parameters:
    ///   - hostname: defaults to `[filter] hostname`'s default, the system host name.
    ///   - names: further names of this host (other MX names it answers as).
    ///   - addresses: the addresses this mail system receives mail on.
    public init(hostname: String = FilterSettings().hostname, names: [String] = [], addresses: [IPAddress] = []) {
        self.hostname = hostname
        self.names = Set(([hostname] + names).map(Self.normalised))
        self.addresses = Set(addresses)
    }

    func isSelf(name: String) -> Bool { names.contains(Self.normalised(name)) }

    func isSelf(_ address: IPAddress) -> Bool { addresses.contains(address) }

    private static func normalised(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }
}
