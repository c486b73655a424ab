import Filter
import Foundation
import Logging
import MoatCore
import Queue
import SMTP

/// What the MX does after the final dot: prepend its Received header, then either run the
/// content filter in the dialogue (its pass destiny queues the message; reject answers
/// 554; past the time budget the message is queued unfiltered) or queue it directly. The
/// client hears 250 only once the queue file is fsync'ed.
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

    public func handle(_ transaction: SMTPTransaction) async -> SMTPDeliveryOutcome {
        let id = QueueID.generate(time: Date().timeIntervalSince1970)
        var traced = transaction
        traced.message = ReceivedHeader.build(transaction, hostname: hostname, queueID: id, date: Date())
            + transaction.message
        let client = transaction.envelope.client
        logger.info("\(id): client=\(client.hostname ?? "unknown")[\(client.address ?? "unknown")]\(transaction.tls.map { ", tls=\($0.version)" } ?? "")")
        return await QueueRelay.$preferredID.withValue(QueueRelay.PreferredID(id)) {
            if let filter { return await filter.handle(traced) }
            return await queue.accept(traced, hints: .none)
        }
    }
}
