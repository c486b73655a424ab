/// Runs `work` but waits for it no longer than `limit`: nil when time ran out first.
///
/// Unlike a task group, this does not wait for the loser: work that ignores cancellation
/// (a libclamav scan already running, a blocking call) keeps going in the background and
/// its result is dropped, so the caller's deadline holds. The work is cancelled when time
/// runs out, so what still honours cancellation (queued `BlockingWorkPool` jobs, network
/// lookups, autolearn) stops instead of piling up behind later messages.
public func withDeadline<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T? {
    let gate = Locked<CheckedContinuation<T?, any Error>?>(nil)
    let timer = Locked<Task<Void, Never>?>(nil)
    return try await withCheckedThrowingContinuation { continuation in
        gate.withLock { $0 = continuation }
        let worker = Task {
            let result: Result<T, any Error>
            do {
                result = .success(try await work())
            } catch {
                result = .failure(error)
            }
            timer.withLock { $0 }?.cancel()
            gate.withLock { $0.take() }?.resume(with: result.map { Optional($0) })
        }
        timer.withLock {
            $0 = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                if let waiting = gate.withLock({ $0.take() }) {
                    worker.cancel()
                    waiting.resume(returning: nil)
                }
            }
        }
    }
}
