import DNS
import MoatCore

/// The client's names as Postfix's smtpd_peer.c establishes them: the reverse name is the
/// PTR answer as given; the hostname is that name only when one of its A/AAAA records is
/// the client address again (forward-confirmed reverse DNS), else "unknown".
public struct ClientNames: Sendable, Hashable {
    public var hostname: String
    public var hostnameStatus: NameLookupStatus
    public var reverseHostname: String
    public var reverseHostnameStatus: NameLookupStatus

    public init(hostname: String, hostnameStatus: NameLookupStatus, reverseHostname: String, reverseHostnameStatus: NameLookupStatus) {
        self.hostname = hostname
        self.hostnameStatus = hostnameStatus
        self.reverseHostname = reverseHostname
        self.reverseHostnameStatus = reverseHostnameStatus
    }

    /// No name at all, as for a client whose PTR lookup answered NXDOMAIN.
    public static let unknown = ClientNames(
        hostname: "unknown", hostnameStatus: .permanentFailure, reverseHostname: "unknown",
        reverseHostnameStatus: .permanentFailure)

    /// PTR, then A/AAAA of each PTR name until one contains `address`. A DNS failure or
    /// running past `timeout` is a temporary failure (450 even where 550 is configured);
    /// NXDOMAIN, a malformed name or no confirming address is permanent.
    public static func lookup(_ address: IPAddress, resolver: any Resolver, timeout: Duration) async -> ClientNames {
        await withTaskGroup(of: ClientNames?.self) { group in
            group.addTask { await confirm(address, resolver: resolver) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? ClientNames(
                hostname: "unknown", hostnameStatus: .temporaryFailure, reverseHostname: "unknown",
                reverseHostnameStatus: .temporaryFailure)
        }
    }

    private static func confirm(_ address: IPAddress, resolver: any Resolver) async -> ClientNames {
        let names: [String]
        do {
            names = try await resolver.lookupPTR(address).filter { HostnameSyntax.isValidHostname($0) }
        } catch {
            return ClientNames(
                hostname: "unknown", hostnameStatus: .temporaryFailure, reverseHostname: "unknown",
                reverseHostnameStatus: .temporaryFailure)
        }
        guard let reverse = names.first else { return .unknown }
        var status = NameLookupStatus.permanentFailure
        for name in names {
            do {
                let forward = try await address.isIPv4 ? resolver.lookupA(name) : resolver.lookupAAAA(name)
                if forward.contains(where: { IPAddress($0) == address }) {
                    return ClientNames(hostname: name, hostnameStatus: .ok, reverseHostname: reverse, reverseHostnameStatus: .ok)
                }
            } catch {
                status = .temporaryFailure
            }
        }
        return ClientNames(hostname: "unknown", hostnameStatus: status, reverseHostname: reverse, reverseHostnameStatus: .ok)
    }
}
