// SMTPClientCapabilities - what a server announced in its EHLO/LHLO reply, as the client
// needs it (RFC 5321 §4.1.1.1: the first line is the greeting, each further line is
// `keyword [params]`). Keywords are case-insensitive; stored upper-cased.

/// The service extensions a server advertised to us.
public struct SMTPClientCapabilities: Sendable, Equatable {
    /// Keyword (upper case) → its parameters as sent.
    public var extensions: [String: [String]]

    public init(extensions: [String: [String]] = [:]) {
        self.extensions = extensions
    }

    /// Parses an EHLO/LHLO reply; a HELO reply (single line) yields no extensions.
    public init(ehloReply reply: SMTPReply) {
        var extensions: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let keyword = words.first else { continue }
            extensions[keyword.uppercased()] = words.dropFirst().map(String.init)
        }
        self.extensions = extensions
    }

    public func supports(_ keyword: String) -> Bool { extensions[keyword.uppercased()] != nil }

    /// RFC 2920.
    public var pipelining: Bool { supports("PIPELINING") }
    /// RFC 6152.
    public var eightBitMIME: Bool { supports("8BITMIME") }
    /// RFC 6531.
    public var smtpUTF8: Bool { supports("SMTPUTF8") }
    /// RFC 1870: the announced limit, 0 for "no fixed limit"; nil if SIZE is not offered.
    public var size: Int? {
        guard let params = extensions["SIZE"] else { return nil }
        return params.first.flatMap { Int($0) } ?? 0
    }
    /// Postfix XFORWARD_README: the attribute names the server accepts (upper case),
    /// empty if XFORWARD is not offered.
    public var xforwardAttributes: Set<String> {
        Set((extensions["XFORWARD"] ?? []).map { $0.uppercased() })
    }
}
