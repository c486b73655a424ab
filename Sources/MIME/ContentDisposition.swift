/// A parsed `Content-Disposition` (RFC 2183).
public struct ContentDisposition: Sendable, Hashable {
    /// Disposition type, lowercased (`"inline"`, `"attachment"` …); may be empty when
    /// the header carries only parameters.
    public var value: String
    /// Parameters, parsed as for ``ContentType`` (RFC 2231 included).
    public var parameters: [String: String]

    /// A disposition; `value` is lowercased, parameters kept as given.
    public init(value: String, parameters: [String: String] = [:]) {
        self.value = value.asciiLowercased()
        self.parameters = parameters
    }

    /// Parses an unfolded header value; never fails.
    public init(parsing headerValue: String) {
        let (value, parameters) = MIMEParameters.parse(headerValue)
        self.init(value: value, parameters: parameters)
    }

    /// The `filename` parameter, RFC 2047-decoded (non-standard but widespread).
    public var filename: String? { parameters["filename"].map(RFC2047.decode) }
}
