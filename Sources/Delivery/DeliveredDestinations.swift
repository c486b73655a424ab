import MoatCore

/// Which destinations of a queued message already have their copy, remembered between
/// attempts. The queue keeps one state per envelope recipient; when an alias fans out to
/// a mailbox and a remote address and only the remote one defers (greylisting, a full
/// disk), the recipient is retried as a whole, and without this the mailbox would get a
/// new copy at every retry. Postfix avoids that by expanding aliases before queueing;
/// this is the in-memory equivalent for Moat's queue.
///
/// In memory only: after a restart a retried recipient may deliver a copy twice, the
/// usual at-least-once behaviour of mail. Bounded: the oldest messages are forgotten first.
final class DeliveredDestinations: Sendable {
    private struct State {
        var delivered: [String: Set<DestinationKey>] = [:]
        /// Queue IDs, oldest first, for eviction.
        var order: [String] = []
    }

    private let state = Locked(State())
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// What earlier attempts delivered for message `id`.
    func delivered(for id: String) -> Set<DestinationKey> {
        state.withLock { $0.delivered[id] ?? [] }
    }

    /// Records what is delivered for `id` while some recipient is still pending; an empty
    /// set forgets the message (it needs no memory: nothing to skip next time).
    func record(_ keys: Set<DestinationKey>, for id: String) {
        state.withLock { state in
            if keys.isEmpty {
                if state.delivered.removeValue(forKey: id) != nil { state.order.removeAll { $0 == id } }
                return
            }
            if state.delivered.updateValue(keys, forKey: id) == nil { state.order.append(id) }
            while state.order.count > capacity {
                state.delivered.removeValue(forKey: state.order.removeFirst())
            }
        }
    }
}
