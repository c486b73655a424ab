#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The addresses of this host's network interfaces (getifaddrs): what a wildcard listener
/// (`0.0.0.0`, `::`) answers on, and so what counts as "us" when an MX host resolves to
/// one of them (Postfix's inet_interfaces = all).
public enum InterfaceAddresses {
    public static func all() -> [IPAddress] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var found: [IPAddress] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let raw = entry.pointee.ifa_addr else { continue }
            switch Int32(raw.pointee.sa_family) {
            case AF_INET:
                let bytes = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    withUnsafeBytes(of: sin.pointee.sin_addr) { Array($0) }
                }
                if let address = IPAddress(networkBytes: bytes) { found.append(address) }
            case AF_INET6:
                let bytes = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    withUnsafeBytes(of: sin6.pointee.sin6_addr) { Array($0) }
                }
                if let address = IPAddress(networkBytes: bytes) { found.append(address) }
            default:
                continue
            }
        }
        return found
    }

    /// The addresses a listener on `host` answers on: all interfaces for a wildcard.
    public static func served(byListenerOn host: String) -> [IPAddress] {
        if host.isEmpty || host == "0.0.0.0" || host == "::" || host == "*" { return all() }
        return IPAddress(host).map { [$0] } ?? []
    }
}
