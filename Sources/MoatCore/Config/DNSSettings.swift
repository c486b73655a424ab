/// `[dns]`: the resolver used for DNSBL/URIBL lookups (and later SPF/DKIM, MX).
public struct DNSSettings: Sendable, Equatable {
    /// Forwarders as `"127.0.0.1:5353"`, `"192.0.2.53"` or `"[::1]:53"`; empty = the
    /// system's resolv.conf.
    public var servers: [String] = []
    /// Bound on one lookup.
    public var timeout: Duration = .seconds(5)

    public init() {}

    init(_ s: ConfigSection) {
        servers = s.strings("servers", default: servers)
        timeout = s.duration("timeout", default: timeout)
        for server in servers where !Self.isServerAddress(server) {
            s.report("servers", "'\(server)' is not an IP address with an optional port (e.g. \"127.0.0.1:5353\", \"[::1]:53\")")
        }
        if timeout <= .zero { s.report("timeout", "must be positive") }
    }

    /// `a.b.c.d`, `a.b.c.d:port`, an IPv6 address, or `[v6]:port`.
    static func isServerAddress(_ text: String) -> Bool {
        var host = Substring(text)
        var port: Substring?
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return false }
                port = rest.dropFirst()
            }
            guard host.contains(":") else { return false }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        if let port {
            guard let n = Int(port), (1...65535).contains(n) else { return false }
        }
        if host.contains(":") {
            return host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } && host.count >= 2
        }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCII) && p.allSatisfy(\.isNumber) && Int(p).map { $0 <= 255 } == true
        }
    }
}
