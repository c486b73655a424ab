import Filter
import Logging
import MoatCore
import Queue
import SMTP

/// The filter's next hop in the MX: the durable queue. A message counts as relayed once it
/// and its envelope are fsync'ed, which is when the SMTP client may hear 250. The writes
/// run on a blocking pool, not on the scheduler's actor, so sessions do not queue behind
/// each other's fsyncs; the scheduler hears of each message through `arrivals`.
public struct QueueRelay: MessageRelay, FilterOverflow {
    public let spool: Spool
    public let arrivals: QueueArrivals
    private let pool: BlockingWorkPool
    private let logger: Logger

    /// The queue ID the MX already named in the message's Received header: the first
    /// message queued in this task takes it (not a notice or DSN queued after it).
    @TaskLocal static var preferredID: PreferredID?

    /// Taken once.
    final class PreferredID: Sendable {
        private let id: Locked<String?>
        init(_ id: String) { self.id = Locked(id) }
        func take() -> String? { id.withLock { $0.take() } }
    }

    public init(spool: Spool, arrivals: QueueArrivals, pool: BlockingWorkPool, logger: Logger) {
        self.spool = spool
        self.arrivals = arrivals
        self.pool = pool
        self.logger = logger
    }

    public var name: String { "queue" }

    public func relay(envelope: Envelope, message: [UInt8], junk: Bool) async throws -> SMTPDeliveryResult {
        Self.queued(envelope, id: try await enqueue(envelope, message, hints: DeliveryHints(junk: junk)))
    }

    /// Postfix's answer for a queued message, to every recipient.
    static func queued(_ envelope: Envelope, id: String) -> SMTPDeliveryResult {
        let reply = SMTPReply(250, "2.0.0", "Ok: queued as \(id)")
        return SMTPDeliveryResult(perRecipient: envelope.recipients.map { ($0, reply) }, dataReply: reply, queueID: id)
    }

    /// Queued as it came, to be filtered before delivery.
    public func acceptUnfiltered(_ transaction: SMTPTransaction) async -> SMTPDeliveryOutcome {
        await accept(transaction, hints: DeliveryHints(filterPending: true))
    }

    /// Queues the transaction's message and gives the client Postfix's answer.
    func accept(_ transaction: SMTPTransaction, hints: DeliveryHints) async -> SMTPDeliveryOutcome {
        do {
            let id = try await enqueue(transaction.envelope, transaction.message, hints: hints)
            return .single(SMTPReply(250, "2.0.0", "Ok: queued as \(id)"))
        } catch {
            logger.error("queue write failed: \(error)")
            return .single(SMTPReply(451, "4.3.0", "Error: queue file write error"))
        }
    }

    func enqueue(_ envelope: Envelope, _ message: [UInt8], hints: DeliveryHints) async throws -> String {
        let spool = spool
        let preferred = Self.preferredID?.take()
        let id = try await pool.run {
            try spool.enqueue(envelope, message: message, hints: hints, preferredID: preferred)
        }
        arrivals.announce(id)
        return id
    }
}
