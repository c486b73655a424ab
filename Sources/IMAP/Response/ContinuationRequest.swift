/// `continue-req = "+" SP (resp-text / base64) CRLF`
public enum ContinuationRequest: Hashable, Sendable {
    /// `+ Ready for literal data`, or for IDLE `+ idling`.
    case text(String)
    /// A SASL challenge, sent base64-encoded (empty is `+ `).
    case challenge([UInt8])
}
