import MoatCore

/// What happened to one recipient in one delivery attempt.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered
    /// Try again later (a 4xx reply, a connection failure): `status` is the RFC 3463 code
    /// (`4.4.1`), `text` the reply or reason.
    case temporaryFailure(status: String, text: String)
    /// Give up and bounce (a 5xx reply, an unknown mailbox).
    case permanentFailure(status: String, text: String)
}

/// A message handed to a deliverer: its queue ID, envelope sender and bytes.
public struct QueuedMessage: Sendable {
    public var id: String
    public var sender: EmailAddress
    /// Exactly as received.
    public var bytes: [UInt8]
    public var arrival: Double
    public var hints: DeliveryHints
    /// The client that handed it over (what the envelope file recorded).
    public var client: ClientIdentity

    public init(id: String, sender: EmailAddress, bytes: [UInt8], arrival: Double, hints: DeliveryHints = .none,
                client: ClientIdentity = ClientIdentity()) {
        self.id = id
        self.sender = sender
        self.bytes = bytes
        self.arrival = arrival
        self.hints = hints
        self.client = client
    }
}

/// The seam between the queue and whatever delivers (Maildir, remote SMTP, re-injection):
/// the scheduler calls it with the message and its still-pending recipients and records
/// what it answers. Called concurrently for different messages.
public protocol QueueDeliverer: Sendable {
    /// Delivers `message` to `recipients`; returns one outcome per recipient, in order.
    /// A missing outcome counts as a temporary failure (the attempt is repeated).
    func deliver(_ message: QueuedMessage, to recipients: [EmailAddress]) async -> [DeliveryOutcome]
}
