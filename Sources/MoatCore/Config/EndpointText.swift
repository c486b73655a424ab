/// `host:port`, `[v6]:port`, `smtp:host:port` and `lmtp:host:port` as written in the
/// configuration. Port 0 is valid for listeners (the kernel picks one; tests use it).
public struct EndpointText: Sendable, Equatable {
    public var lmtp: Bool
    public var host: String
    public var port: Int

    /// Parses `text`; throws a message saying what is wrong.
    public init(parsing text: String, allowLMTP: Bool = true) throws(ConfigValueError) {
        var rest = Substring(text)
        lmtp = false
        if rest.hasPrefix("lmtp:") {
            guard allowLMTP else { throw ConfigValueError("'\(text)': LMTP is not supported here") }
            lmtp = true
            rest = rest.dropFirst(5)
        } else if rest.hasPrefix("smtp:") {
            rest = rest.dropFirst(5)
        }
        let hostPart: Substring
        let portPart: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw ConfigValueError("'\(text)': missing ']'") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(":") else { throw ConfigValueError("'\(text)': expected host:port") }
            portPart = after.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else { throw ConfigValueError("'\(text)': expected host:port") }
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw ConfigValueError("'\(text)': missing host") }
        guard let p = Int(portPart), (0...65535).contains(p) else { throw ConfigValueError("'\(text)': invalid port") }
        host = String(hostPart)
        port = p
    }

    /// nil when `text` is a valid endpoint, otherwise what is wrong with it.
    public static func problem(_ text: String, allowLMTP: Bool) -> String? {
        do {
            _ = try EndpointText(parsing: text, allowLMTP: allowLMTP)
            return nil
        } catch {
            return error.message
        }
    }
}

/// A configuration value that does not parse, with the reason.
public struct ConfigValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
