/// `[queue]`: the durable queue's scheduler, with Postfix's names and defaults
/// (`maximal_queue_lifetime`, `minimal_backoff_time`, `maximal_backoff_time`,
/// `queue_run_delay`, and a delivery concurrency like `default_process_limit`).
public struct QueueSettings: Sendable, Equatable {
    /// A message still undelivered after this long is bounced to its sender.
    public var maxQueueLifetime: Duration = .seconds(5 * 86_400)
    /// Delay after the first failed attempt; it doubles with each further attempt.
    public var minimalBackoffTime: Duration = .seconds(300)
    /// The doubling stops here.
    public var maximalBackoffTime: Duration = .seconds(4000)
    /// How often the whole spool is rescanned for messages other processes queued
    /// (`moat queue inject`) or changed without waking the scheduler.
    public var queueRunDelay: Duration = .seconds(300)
    /// Deliveries in progress at once.
    public var maxConcurrentDeliveries = 20
    /// Postfix `queue_minfree`: bytes that must stay free on the queue's file system. The MX
    /// refuses MAIL FROM with `452 4.3.1` below it, and whenever less than 1.5 × its
    /// `max_message_size` is free, or a declared SIZE= would not fit twice over.
    public var minimumFree = 0

    public init() {}

    init(_ s: ConfigSection) {
        maxQueueLifetime = s.duration("max_queue_lifetime", default: maxQueueLifetime)
        minimalBackoffTime = s.duration("minimal_backoff_time", default: minimalBackoffTime)
        maximalBackoffTime = s.duration("maximal_backoff_time", default: maximalBackoffTime)
        queueRunDelay = s.duration("queue_run_delay", default: queueRunDelay)
        maxConcurrentDeliveries = s.int("max_concurrent_deliveries", default: maxConcurrentDeliveries,
                                        range: 1...10_000)
        minimumFree = s.byteSize("queue_minfree", default: minimumFree)
        if minimalBackoffTime <= .zero { s.report("minimal_backoff_time", "must be positive") }
        if maximalBackoffTime < minimalBackoffTime {
            s.report("maximal_backoff_time", "must not be below minimal_backoff_time")
        }
        if maxQueueLifetime <= .zero { s.report("max_queue_lifetime", "must be positive") }
        if queueRunDelay <= .zero { s.report("queue_run_delay", "must be positive") }
    }
}
