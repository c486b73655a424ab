import Filter
import Foundation
import Logging
import MoatCore
import Queue
import SMTP

/// What the MX does with a message: its Received header goes in front as DATA begins (as
/// Postfix's smtpd writes it; the message arrives behind it and is never copied to prepend
/// it); after the final dot it either runs the content filter in the dialogue (its pass
/// destiny queues the message; reject answers 554; past the time budget the message is
/// queued unfiltered) or queues it directly. The client hears 250 only once the queue file
/// is fsync'ed.
public struct MXMessageHandler: SMTPMessageHandler {
    public let hostname: String
    /// nil: no content filter in the dialogue.
    public let filter: FilterPipeline?
    public let queue: QueueRelay
    private let logger: Logger

    public init(hostname: String, filter: FilterPipeline?, queue: QueueRelay, logger: Logger) {
        self.hostname = hostname
        self.filter = filter
        self.queue = queue
        self.logger = logger
    }

    public func traceHeader(for transaction: SMTPTransaction) -> (id: String, header: [UInt8])? {
        received(for: transaction)
    }

    /// A new queue ID and the Received header naming it.
    private func received(for transaction: SMTPTransaction) -> (id: String, header: [UInt8]) {
        let id = QueueID.generate(time: Date().timeIntervalSince1970)
        return (id, ReceivedHeader.build(transaction, hostname: hostname, queueID: id, date: Date()))
    }

    public func handle(_ transaction: SMTPTransaction) async -> SMTPDeliveryOutcome {
        var traced = transaction
        let id: String
        if let traceID = transaction.traceID {
            id = traceID
        } else { // handed over without the DATA phase (tests): prepend it now
            let trace = received(for: transaction)
            id = trace.id
            traced.message = trace.header + transaction.message
        }
        let client = transaction.envelope.client
        logger.info("\(id): client=\(client.hostname ?? "unknown")[\(client.address ?? "unknown")]\(transaction.tls.map { ", tls=\($0.version)" } ?? "")")
        return await QueueRelay.$preferredID.withValue(QueueRelay.PreferredID(id)) {
            if let filter { return await filter.handle(traced) }
            return await queue.accept(traced, hints: .none)
        }
    }
}
