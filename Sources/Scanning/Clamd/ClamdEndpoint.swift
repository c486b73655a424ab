/// Where clamd listens: its `LocalSocket` or its `TCPSocket`/`TCPAddr`.
///
/// Written in config as `unix:/run/clamav/clamd.ctl` or `tcp:127.0.0.1:3310`
/// (`tcp:[::1]:3310` for IPv6); a bare absolute path means a unix socket.
public enum ClamdEndpoint: Sendable, Hashable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: UInt16)

    public init(parsing spec: String) throws(ScanError) {
        if spec.hasPrefix("unix:") || spec.hasPrefix("/") {
            let path = spec.hasPrefix("unix:") ? String(spec.dropFirst(5)) : spec
            guard !path.isEmpty else { throw .invalidClamdEndpoint(spec: spec, reason: "empty socket path") }
            // sun_path holds 108 bytes including the terminating NUL on Linux (104 on BSD).
            guard path.utf8.count < 104 else {
                throw .invalidClamdEndpoint(spec: spec, reason: "socket path longer than 103 bytes")
            }
            self = .unix(path: path)
            return
        }
        guard spec.hasPrefix("tcp:") else {
            throw .invalidClamdEndpoint(spec: spec, reason: "expected unix:/path or tcp:host:port")
        }
        let rest = spec.dropFirst(4)
        let host: Substring, portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else {
                throw .invalidClamdEndpoint(spec: spec, reason: "expected tcp:[ipv6]:port")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":") else {
                throw .invalidClamdEndpoint(spec: spec, reason: "missing :port")
            }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty else { throw .invalidClamdEndpoint(spec: spec, reason: "empty host") }
        guard let port = UInt16(portText), port > 0 else {
            throw .invalidClamdEndpoint(spec: spec, reason: "port must be 1-65535")
        }
        self = .tcp(host: String(host), port: port)
    }

    public var description: String {
        switch self {
        case .unix(let path): return "unix:\(path)"
        case .tcp(let host, let port): return host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
        }
    }
}
