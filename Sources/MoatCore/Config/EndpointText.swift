/// Checks `host:port`, `[v6]:port` and `lmtp:host:port` strings at configuration time,
/// so a typo is reported with its line instead of failing at bind time.
public enum EndpointText {
    /// nil when `text` is a valid endpoint, otherwise what is wrong with it.
    public static func problem(_ text: String, allowLMTP: Bool) -> String? {
        var rest = Substring(text)
        if rest.hasPrefix("lmtp:") {
            guard allowLMTP else { return "LMTP is not supported here" }
            rest = rest.dropFirst(5)
        } else if rest.hasPrefix("smtp:") {
            rest = rest.dropFirst(5)
        }
        let host: Substring
        let port: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return "'\(text)': missing ']'" }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(":") else { return "'\(text)': expected host:port" }
            port = after.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else { return "'\(text)': expected host:port" }
            host = rest[..<colon]
            port = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty else { return "'\(text)': missing host" }
        guard let p = Int(port), (0...65535).contains(p) else { return "'\(text)': invalid port" }
        return nil
    }
}
