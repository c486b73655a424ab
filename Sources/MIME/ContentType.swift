/// A parsed `Content-Type` (RFC 2045 §5).
public struct ContentType: Sendable, Hashable {
    /// Top-level media type, lowercased (`"text"`, `"multipart"` …).
    public var type: String
    /// Subtype, lowercased (`"plain"`, `"mixed"` …).
    public var subtype: String
    /// Parameters, names lowercased, values unquoted and RFC 2231-decoded, case kept.
    public var parameters: [String: String]

    /// A content type; `type` and `subtype` are lowercased, parameters kept as given.
    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type.asciiLowercased()
        self.subtype = subtype.asciiLowercased()
        self.parameters = parameters
    }

    /// `"type/subtype"`.
    public var mimeType: String { "\(type)/\(subtype)" }
    /// The `charset` parameter, if any.
    public var charset: String? { parameters["charset"] }
    /// The `boundary` parameter, if any (case preserved: boundaries are case-sensitive).
    public var boundary: String? { parameters["boundary"] }
    /// Whether this is a `multipart/*` type.
    public var isMultipart: Bool { type == "multipart" }
    /// Whether this is a message that is parsed as embedded (`message/rfc822`, `message/global`).
    public var isEmbeddedMessage: Bool { type == "message" && (subtype == "rfc822" || subtype == "global") }

    /// RFC 2045 §5.2 default: `text/plain; charset=us-ascii`.
    public static let plainText = ContentType(type: "text", subtype: "plain", parameters: ["charset": "us-ascii"])
    /// RFC 2046 §5.1.5 default inside `multipart/digest`: `message/rfc822`.
    public static let messageRFC822 = ContentType(type: "message", subtype: "rfc822")

    /// Parses an unfolded header value; nil when the `type/subtype` part is not two
    /// RFC 2045 tokens.
    public init?(parsing headerValue: String) {
        let (value, parameters) = MIMEParameters.parse(headerValue)
        guard let slash = value.firstIndex(of: "/") else { return nil }
        let type = value[..<slash].trimmingMailWhitespaceSubstring()
        let subtype = value[value.index(after: slash)...].trimmingMailWhitespaceSubstring()
        guard Self.isToken(type), Self.isToken(subtype) else { return nil }
        self.init(type: String(type), subtype: String(subtype), parameters: parameters)
    }

    /// Parses `headerValue` or falls back to `fallback` (RFC 2045 §5.2). The fallback
    /// keeps any parameters that did parse, so a declared charset still applies.
    /// Returns whether the value was valid.
    static func parse(_ headerValue: String?, default fallback: ContentType) -> (ContentType, valid: Bool) {
        guard let headerValue else { return (fallback, true) }
        if let parsed = ContentType(parsing: headerValue) { return (parsed, true) }
        var result = fallback
        for (k, v) in MIMEParameters.parse(headerValue).parameters { result.parameters[k] = v }
        return (result, false)
    }

    /// RFC 2045 token: printable ASCII except SPACE and tspecials.
    static func isToken(_ s: Substring) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { b in
            b > 0x20 && b < 0x7F && !"()<>@,;:\\\"/[]?=".utf8.contains(b)
        }
    }
}

extension Substring {
    func trimmingMailWhitespaceSubstring() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s = s.dropLast() }
        return s
    }
}
