import Foundation

/// A fixed number of threads for calls that block: libclamav scans, POSIX socket I/O,
/// fsync'ed writes of the queue, quarantine and Maildirs.
///
/// Why not the Swift concurrency pool or `DispatchQueue.global()`: a blocking scan parks
/// its thread for up to `maxScanTime`; doing that on the cooperative pool starves every
/// other task (SMTP sessions included), and GCD answers blocked workers by spawning more
/// threads without bound. Here the thread count is the concurrency limit and excess work
/// waits in a FIFO.
public final class BlockingWorkPool: @unchecked Sendable {
    /// The pool was shut down before the job could run.
    public struct ShutDown: Error, CustomStringConvertible {
        public let pool: String
        public var description: String { "\(pool): shut down" }
    }

    private let name: String
    // @unchecked: `jobs` and `stopping` are only touched while holding `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var stopping = false

    /// - Parameters:
    ///   - name: thread name prefix, visible in debuggers and `top -H`.
    ///   - threads: how many jobs may run at once.
    public init(name: String, threads: Int) {
        self.name = name
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in workerLoop() }
            thread.name = "\(name)-\(index)"
            // libclamav recurses through nested archives; give it the usual 8 MiB main-thread
            // stack rather than a smaller secondary-thread default.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs `body` on a pool thread and returns its result to the awaiting task. A job whose
    /// task is cancelled before a thread picks it up is skipped (CancellationError), so work
    /// nobody waits for any more does not hold up the queue; a running job finishes.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let cancelled = Locked(false)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let accepted = enqueue {
                    if cancelled.withLock({ $0 }) {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        continuation.resume(with: Result { try body() })
                    }
                }
                if !accepted { continuation.resume(throwing: ShutDown(pool: name)) }
            }
        } onCancel: {
            cancelled.withLock { $0 = true }
        }
    }

    /// Lets queued jobs finish, then ends the threads. Called by the owner's deinit.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    private func workerLoop() {
        while let job = nextJob() { job() }
    }

    private func nextJob() -> (@Sendable () -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count {
            if stopping { return nil }
            condition.wait()
        }
        let job = jobs[head]
        head += 1
        // Compact now and then so a long-lived pool does not keep every job it ever ran.
        if head == jobs.count || head > 1024 {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }
}
