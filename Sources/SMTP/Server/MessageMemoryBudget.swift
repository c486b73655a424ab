import MoatCore

/// The bytes of mail in flight that all sessions of all listeners may hold in memory
/// together. A session reserves as message bytes arrive and gives everything back when the
/// transaction is over; a message that does not fit is read to its end without being kept
/// and refused with `451 4.3.1` (Postfix's answer when `queue_minfree` is not met), so the
/// client retries later instead of the process running out of memory.
public final class MessageMemoryBudget: Sendable {
    /// Bytes all sessions may hold together; 0 = unlimited.
    public let limit: Int
    /// Called when the last message of a burst of at least `burstBytes` is done: the moment
    /// to hand freed memory back to the kernel (`moat serve` calls `malloc_trim`).
    private let afterBurst: (@Sendable () -> Void)?
    public static let burstBytes = 32 << 20
    private let state = Locked(State())

    private struct State {
        var held = 0
        /// The most held since the budget was last empty.
        var highWater = 0
    }

    public init(limit: Int, afterBurst: (@Sendable () -> Void)? = nil) {
        self.limit = limit
        self.afterBurst = afterBurst
    }

    /// Bytes reserved right now by all sessions.
    public var heldBytes: Int { state.withLock { $0.held } }

    /// Takes `bytes` from the budget when they fit; false (and nothing taken) when not.
    public func reserve(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        return state.withLock { state in
            guard limit == 0 || state.held + bytes <= limit else { return false }
            state.held += bytes
            state.highWater = max(state.highWater, state.held)
            return true
        }
    }

    /// Gives back bytes a `reserve` took.
    public func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        let burstEnded = state.withLock { state in
            state.held -= bytes
            guard state.held == 0, state.highWater >= Self.burstBytes else { return false }
            state.highWater = 0
            return true
        }
        if burstEnded { afterBurst?() }
    }

    /// The reply for a message refused because the budget is spent.
    public static let refusal = SMTPReply(451, "4.3.1", "Insufficient system resources")
}

/// One session's share of a `MessageMemoryBudget`: grows with the message being received,
/// released whole when the transaction ends or the connection goes away.
struct MessageMemoryReservation {
    let budget: MessageMemoryBudget
    private(set) var held = 0
    /// The current message did not fit: it is no longer kept, and will be refused.
    private(set) var exhausted = false

    init(budget: MessageMemoryBudget) {
        self.budget = budget
    }

    /// Reserves up to `total` bytes for the current message; false once it does not fit.
    mutating func cover(_ total: Int) -> Bool {
        guard !exhausted else { return false }
        guard total > held else { return true }
        guard budget.reserve(total - held) else {
            exhausted = true
            releaseAll()
            return false
        }
        held = total
        return true
    }

    /// The transaction is over: everything back, ready for the next message.
    mutating func endTransaction() {
        releaseAll()
        exhausted = false
    }

    private mutating func releaseAll() {
        budget.release(held)
        held = 0
    }
}
