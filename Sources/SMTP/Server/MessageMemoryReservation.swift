import MoatCore

extension MessageMemoryBudget {
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
