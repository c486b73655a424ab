import Foundation

/// SASL PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd`, base64 on the wire in IMAP
/// AUTHENTICATE and POP3 AUTH.
public struct SASLPlain: Sendable, Equatable {
    /// Who to act as; nil or equal to `user` for an ordinary login (no master users here).
    public var authorizationIdentity: String?
    /// Who logs in.
    public var user: String
    public var password: [UInt8]

    public init(authorizationIdentity: String? = nil, user: String, password: [UInt8]) {
        self.authorizationIdentity = authorizationIdentity
        self.user = user
        self.password = password
    }

    public enum DecodeError: Error, Equatable, CustomStringConvertible {
        /// Not base64 (RFC 4422 §3: the server fails the exchange).
        case notBase64
        /// Not three NUL-separated fields, an empty user or password, or a user that is not UTF-8.
        case malformed

        public var description: String {
            switch self {
            case .notBase64: "invalid base64 data"
            case .malformed: "malformed PLAIN message"
            }
        }
    }

    /// Decodes the client's base64 response.
    public init(base64 text: some StringProtocol) throws(DecodeError) {
        guard let data = Data(base64Encoded: String(text)) else { throw .notBase64 }
        try self.init(message: Array(data))
    }

    /// Decodes the raw message (RFC 4616 §2).
    public init(message: [UInt8]) throws(DecodeError) {
        let fields = message.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, !fields[1].isEmpty, !fields[2].isEmpty,
              let user = String(validating: fields[1], as: UTF8.self) else { throw .malformed }
        let authzid = fields[0].isEmpty ? nil : String(decoding: fields[0], as: UTF8.self)
        self.init(authorizationIdentity: authzid, user: user, password: Array(fields[2]))
    }

    /// Acting as someone else is for master users, which Moat does not have.
    public var asksForAnotherIdentity: Bool {
        guard let authorizationIdentity else { return false }
        return authorizationIdentity.lowercased() != user.lowercased()
    }
}
