/// Runs `work` but waits for it no longer than `limit`: nil when time ran out first.
///
/// Unlike a task group, this does not wait for the loser: work that ignores cancellation
/// (a libclamav scan, a blocking call) keeps running in the background and its result is
/// dropped, so the caller's deadline holds. Use it only for work whose late completion has
/// no effect beyond its result.
public func withDeadline<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T? {
    let gate = Locked<CheckedContinuation<T?, any Error>?>(nil)
    return try await withCheckedThrowingContinuation { continuation in
        gate.withLock { $0 = continuation }
        let timer = Task {
            try await Task.sleep(for: limit)
            gate.withLock { $0.take() }?.resume(returning: nil)
        }
        Task {
            let result: Result<T, any Error>
            do {
                result = .success(try await work())
            } catch {
                result = .failure(error)
            }
            timer.cancel()
            gate.withLock { $0.take() }?.resume(with: result.map { Optional($0) })
        }
    }
}
