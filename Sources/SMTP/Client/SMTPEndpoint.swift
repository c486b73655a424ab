// SMTPEndpoint - where to deliver, from a config string (Postfix next-hop style):
//
//     127.0.0.1:10025            SMTP to 127.0.0.1 port 10025
//     [::1]:10025                IPv6 literals go in brackets
//     smtp:[127.0.0.1]:10025     explicit scheme; brackets also allowed around names/IPv4
//     lmtp:127.0.0.1:10024       LMTP
//     lmtp:inet:localhost:24     Postfix's "inet:" transport prefix is accepted
//     mx.example.org             no port: 25 for SMTP, 24 for LMTP
//
// BUGS: UNIX-domain sockets (`lmtp:unix:/path`) are not supported yet.

/// A host and port to deliver to with SMTP or LMTP.
public struct SMTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var lmtp: Bool
    /// Host name or IP address, without brackets.
    public var host: String
    public var port: Int

    public init(lmtp: Bool = false, host: String, port: Int) {
        self.lmtp = lmtp
        self.host = host
        self.port = port
    }

    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case missingHost(String)
        case invalidPort(String)
        case unbracketedIPv6(String)
        case unixSocketUnsupported(String)
        case malformed(String)

        public var description: String {
            switch self {
            case .empty: "empty endpoint"
            case .missingHost(let text): "no host in endpoint '\(text)'"
            case .invalidPort(let text): "invalid port in endpoint '\(text)' (expected 1-65535)"
            case .unbracketedIPv6(let text): "IPv6 address must be in brackets, as in [::1]:25: '\(text)'"
            case .unixSocketUnsupported(let text): "UNIX-domain sockets are not supported: '\(text)'"
            case .malformed(let text): "malformed endpoint '\(text)'"
            }
        }
    }

    public init(parsing text: String) throws(ParseError) {
        let original = text
        var rest = Substring(text.trimmingASCIIWhitespace())
        guard !rest.isEmpty else { throw .empty }
        var lmtp = false
        if let scheme = Self.dropPrefix(&rest, ["lmtp:", "smtp:"]) { lmtp = scheme == "lmtp:" }
        if Self.dropPrefix(&rest, ["unix:"]) != nil { throw .unixSocketUnsupported(original) }
        _ = Self.dropPrefix(&rest, ["inet:"])
        guard !rest.isEmpty else { throw .missingHost(original) }

        let host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .malformed(original) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .malformed(original) }
                portText = after.dropFirst()
            }
        } else {
            let colons = rest.filter { $0 == ":" }.count
            if colons > 1 { throw .unbracketedIPv6(original) }
            if let colon = rest.firstIndex(of: ":") {
                host = rest[..<colon]
                portText = rest[rest.index(after: colon)...]
            } else {
                host = rest
            }
        }
        guard !host.isEmpty else { throw .missingHost(original) }
        guard !host.contains(where: { $0 == " " || $0 == "\t" || $0 == "[" || $0 == "]" || $0 == "/" }) else {
            throw .malformed(original)
        }
        var port = lmtp ? 24 : 25
        if let portText {
            guard portText.utf8.count <= 5, portText.utf8.allSatisfy({ (48...57).contains($0) }),
                  let value = Int(portText), (1...65535).contains(value) else { throw .invalidPort(original) }
            port = value
        }
        self.init(lmtp: lmtp, host: String(host), port: port)
    }

    /// The canonical form, parseable again: `lmtp:[::1]:24`, `127.0.0.1:10025`.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return (lmtp ? "lmtp:" : "") + "\(hostPart):\(port)"
    }

    private static func dropPrefix(_ text: inout Substring, _ prefixes: [String]) -> String? {
        for prefix in prefixes where text.lowercased().hasPrefix(prefix) {
            text = text.dropFirst(prefix.count)
            return prefix
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
