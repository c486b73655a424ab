import Filter
import MoatCore
import Queue
import SMTP

/// Runs the content filter on mail the MX accepted past the filter's time budget, before
/// anything is delivered: what passes is queued anew (with the filter's headers and the
/// Junk hint) and the original counts as delivered; what is refused becomes a bounce,
/// never for spam. Everything else goes straight to the real deliverer.
public struct PendingFilterDeliverer: QueueDeliverer {
    /// The filter as it runs from the queue (stage `.afterQueue`, relaying to the queue).
    public let filter: FilterPipeline
    public let next: any QueueDeliverer

    public init(filter: FilterPipeline, next: any QueueDeliverer) {
        self.filter = filter
        self.next = next
    }

    public func deliver(_ message: QueuedMessage, to recipients: [EmailAddress]) async -> [DeliveryOutcome] {
        guard message.hints.filterPending else { return await next.deliver(message, to: recipients) }
        var client = message.client
        client.protocolName = "ESMTP"
        let transaction = SMTPTransaction(
            envelope: Envelope(sender: message.sender, recipients: recipients, client: client),
            message: message.bytes, protocolName: "ESMTP", peerAddress: client.address, localPort: nil, body: nil)
        let replies: [SMTPReply]
        switch await filter.handle(transaction) {
        case .single(let reply): replies = Array(repeating: reply, count: recipients.count)
        case .perRecipient(let list): replies = list
        }
        return replies.map { reply in
            if reply.isPositive { return .delivered }
            let status = reply.enhanced ?? (reply.isTransientFailure ? "4.3.0" : "5.7.0")
            return reply.isTransientFailure
                ? .temporaryFailure(status: status, text: reply.description)
                : .permanentFailure(status: status, text: reply.description)
        }
    }
}
