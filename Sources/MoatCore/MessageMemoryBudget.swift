/// The bytes of mail in flight that all sessions of all listeners (SMTP messages, IMAP
/// APPENDs) may hold in memory together. A session reserves as message bytes arrive and gives everything back when the
/// transaction is over; a message that does not fit is read to its end without being kept
/// and refused with `451 4.3.1` (Postfix's answer when `queue_minfree` is not met; IMAP's
/// `NO [UNAVAILABLE]`), so the client retries later instead of the process running out of memory.
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

}
