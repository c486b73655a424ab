/// `[limits]`: resources shared by every listener of the process.
public struct LimitsSettings: Sendable, Equatable {
    /// Bytes of mail in flight that all SMTP sessions (filter and MX) may hold in memory
    /// together; a message that does not fit is refused with `451 4.3.1` and retried by its
    /// sender, as Postfix answers when `queue_minfree` is not met. 0 = unlimited.
    /// The default takes 50 concurrent messages of Postfix's `message_size_limit` (10240000
    /// bytes, with our headers), and leaves room under 1 GB resident for the queue's
    /// deliveries, which read their message from the spool outside this budget.
    public var messageMemory = 512 << 20
    /// Content checks (virus scan, banned files, spam rules) running at once; further
    /// messages wait their turn holding only their own bytes, as amavisd-new's
    /// `$max_servers` child processes bound its work. 0 = four per processor: a check
    /// waits on the scan pool and the spam engine in turn, and with one slot per core the
    /// cores sat idle in between (filter throughput at 16 connections fell by a third).
    public var contentChecks = 0

    public init() {}

    init(_ s: ConfigSection) {
        messageMemory = s.byteSize("message_memory", default: messageMemory)
        contentChecks = s.int("content_checks", default: contentChecks, range: 0...1_000)
    }
}
