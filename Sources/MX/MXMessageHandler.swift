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

    /// A new queue ID and the Received header naming it, which the server puts in front of
    /// the message as DATA begins (as Postfix's smtpd does), so it is never copied to prepend.
    public func traceHeader(for transaction: SMTPTransaction) -> (id: String, header: [UInt8])? {
        let id = QueueID.generate(time: Date().timeIntervalSince1970)
        return (id, ReceivedHeader.build(transaction, hostname: hostname, queueID: id, date: Date()))
    }

    public func handle(_ transaction: SMTPTransaction) async -> SMTPDeliveryOutcome {
        // SMTPServer asks traceHeader at every DATA: a transaction without its ID would be
        // a message without its Received header.
        guard let id = transaction.traceID else { preconditionFailure("MX transaction without its trace header") }
        let client = transaction.envelope.client
        logger.info("\(id): client=\(client.hostname ?? "unknown")[\(client.address ?? "unknown")]\(transaction.tls.map { ", tls=\($0.version)" } ?? "")")
        return await QueueRelay.$preferredID.withValue(QueueRelay.PreferredID(id)) {
            if let filter { return await filter.handle(transaction) }
            return await queue.accept(transaction, hints: .none)
        }
    }
}
