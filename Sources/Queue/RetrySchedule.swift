/// When to try again after a temporary failure, as Postfix's qmgr does: the delay starts
/// at `minimal_backoff_time` and doubles with each attempt up to `maximal_backoff_time`;
/// the last attempt is made when the message would expire, so the bounce is not late.
public struct RetrySchedule: Sendable, Equatable {
    public var minimalBackoff: Double
    public var maximalBackoff: Double
    public var maxLifetime: Double

    public init(minimalBackoff: Double, maximalBackoff: Double, maxLifetime: Double) {
        self.minimalBackoff = minimalBackoff
        self.maximalBackoff = max(minimalBackoff, maximalBackoff)
        self.maxLifetime = maxLifetime
    }

    /// The delay after attempt number `attempts` (1 after the first attempt).
    public func backoff(afterAttempts attempts: Int) -> Double {
        var delay = minimalBackoff
        var doublings = max(0, attempts - 1)
        while doublings > 0 && delay < maximalBackoff {
            delay *= 2
            doublings -= 1
        }
        return min(delay, maximalBackoff)
    }

    /// The next attempt for a message that arrived at `arrival` and has just been tried
    /// for the `attempts`th time at `now`.
    public func nextAttempt(arrival: Double, attempts: Int, now: Double) -> Double {
        min(now + backoff(afterAttempts: attempts), max(now, expiry(arrival: arrival)))
    }

    /// When a message that arrived at `arrival` is given up.
    public func expiry(arrival: Double) -> Double { arrival + maxLifetime }

    /// True once the message has been in the queue for `max_queue_lifetime`.
    public func isExpired(arrival: Double, now: Double) -> Bool { now >= expiry(arrival: arrival) }
}
