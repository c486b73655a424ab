import Filter
import MoatCore
import Queue
import SMTP

/// A relay into the MX's queue from outside the running server (`moat quarantine
/// release`): the message is queued as filtered, so it is delivered as it is, and the
/// running scheduler is woken to take it at once.
public struct QueueInjection: MessageRelay {
    public let spool: Spool

    public init(spool: Spool) {
        self.spool = spool
    }

    public var name: String { "queue" }

    public func relay(envelope: Envelope, message: [UInt8], junk: Bool) async throws -> SMTPDeliveryResult {
        let id = try spool.enqueue(envelope, message: message, hints: DeliveryHints(junk: junk))
        try spool.wake()
        return QueueRelay.queued(envelope, id: id)
    }
}
