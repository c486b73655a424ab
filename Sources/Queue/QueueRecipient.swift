/// One recipient of a queued message and where its delivery stands: the per-recipient
/// state Postfix keeps in its queue file records, plus what a DSN needs to report it.
public struct QueueRecipient: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Not delivered yet; tried again when the message is due.
        case pending
        case delivered
        /// Given up: a permanent failure, or still failing when the message expired.
        case failed
    }

    /// `local@domain` as `EmailAddress.description` writes it.
    public var address: String
    public var state: State
    /// The last enhanced status code (RFC 3463), e.g. `4.4.1`; nil before the first attempt.
    public var status: String?
    /// The last reply or reason, for `moat queue list` and the DSN's Diagnostic-Code.
    public var text: String?
    /// Unix seconds of the last attempt for this recipient.
    public var lastAttempt: Double?
    /// RFC 3461 ORCPT, reported as Original-Recipient.
    public var originalRecipient: String?

    public init(address: String, state: State = .pending, status: String? = nil, text: String? = nil,
                lastAttempt: Double? = nil, originalRecipient: String? = nil) {
        self.address = address
        self.state = state
        self.status = status
        self.text = text
        self.lastAttempt = lastAttempt
        self.originalRecipient = originalRecipient
    }
}
