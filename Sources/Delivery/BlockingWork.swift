import Dispatch

/// Runs blocking work (SQLite reads, Maildir writes and their fsyncs) on a Dispatch
/// worker thread, as Filter does for quarantine writes, so neither the NIO event loops
/// nor the cooperative pool that runs SMTP sessions wait on the disk. The queue
/// scheduler bounds how many deliveries, and so how many such jobs, run at once.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            DispatchQueue.global(qos: .utility).async { continuation.resume(returning: body()) }
        }
    }
}
