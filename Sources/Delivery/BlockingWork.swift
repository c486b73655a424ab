import MoatCore

/// Runs blocking work (SQLite reads, Maildir writes and their fsyncs) on a fixed pool of
/// threads, so neither the NIO event loops nor the cooperative pool that runs SMTP
/// sessions wait on the disk, and a burst of deliveries cannot make GCD spawn threads
/// without bound. The queue scheduler bounds how many deliveries run at once.
final class BlockingWork: Sendable {
    private let pool: BlockingWorkPool

    init(threads: Int) {
        pool = BlockingWorkPool(name: "moat-delivery", threads: threads)
    }

    /// The deliverer is gone (the last copy of it): let the threads end.
    deinit { pool.shutdown() }

    /// Only a cancelled or stopping scheduler makes the pool refuse; then the work runs
    /// here, since its result is still recorded.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        (try? await pool.run(body)) ?? body()
    }
}
