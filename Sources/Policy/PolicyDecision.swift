/// One SMTP reply chosen by a restriction: code, RFC 3463 enhanced code, text.
public struct PolicyReply: Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    public let enhancedCode: String
    public let text: String

    /// As Postfix's smtpd_check_reject, the enhanced code's class follows the reply code:
    /// a configured 450 with the restriction's "5.1.8" becomes "4.1.8", so changing a reject
    /// code never produces a contradictory pair (RFC 3463 2: class must match).
    public init(code: Int, enhancedCode: String, text: String) {
        self.code = code
        let classDigit = code / 100 == 4 ? "4" : "5"
        if let first = enhancedCode.first, first == "4" || first == "5" {
            self.enhancedCode = classDigit + enhancedCode.dropFirst()
        } else {
            self.enhancedCode = enhancedCode
        }
        self.text = text
    }

    /// True for 4xx.
    public var isTemporary: Bool { code / 100 == 4 }

    /// The reply line without CRLF: `554 5.7.1 <a@b.example>: Relay access denied`.
    public var description: String { "\(code) \(enhancedCode) \(text)" }
}

/// What a restriction, a list or a whole evaluation decides.
public enum PolicyDecision: Sendable, Hashable {
    /// Accept: ends the current list (and, as the overall result, lets the command pass).
    case permit
    /// No opinion: go on with the next restriction.
    case dunno
    /// Refuse with a 5xx (or a configured 4xx) reply.
    case reject(PolicyReply)
    /// Refuse for now with a 4xx reply.
    case `defer`(PolicyReply)

    /// The reply to send, nil for permit/dunno.
    public var reply: PolicyReply? {
        switch self {
        case .permit, .dunno: nil
        case .reject(let reply), .defer(let reply): reply
        }
    }
}
