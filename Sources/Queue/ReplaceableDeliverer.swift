import MoatCore

/// A deliverer that a reload can replace while the queue runs: each delivery attempt takes
/// the deliverer current when it starts and finishes on it.
public final class ReplaceableDeliverer: QueueDeliverer {
    private let current: Locked<any QueueDeliverer>

    public init(_ deliverer: any QueueDeliverer) {
        current = Locked(deliverer)
    }

    /// Attempts starting from now on use `deliverer`.
    public func replace(with deliverer: any QueueDeliverer) {
        current.withLock { $0 = deliverer }
    }

    public func deliver(_ message: QueuedMessage, to recipients: [EmailAddress]) async -> [DeliveryOutcome] {
        let deliverer = current.withLock { $0 }
        return await deliverer.deliver(message, to: recipients)
    }
}
