import MoatCore

/// At most `count` content checks at once; the others wait their turn in arrival order,
/// holding only the message bytes their session holds anyway. Each check decodes MIME
/// parts and renders text for the spam rules, so without a bound 50 concurrent large
/// messages would hold 50 sets of those copies (amavisd-new bounds the same work with its
/// `$max_servers` child processes).
public final class ContentCheckSlots: Sendable {
    public let count: Int
    private let state = Locked(State())

    private struct State {
        var busy = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    public init(count: Int) {
        self.count = max(1, count)
    }

    /// Runs `body` in a slot, after waiting for one; a check cancelled while it waited
    /// (the MX's filter budget ran out) gives its slot back unused.
    public func run<T>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        try Task.checkCancellation()
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let free = state.withLock { state in
                guard state.busy < count else {
                    state.waiting.append(continuation)
                    return false
                }
                state.busy += 1
                return true
            }
            if free { continuation.resume() }
        }
    }

    private func release() {
        // A waiter inherits the slot: `busy` stays as it is.
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.busy -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
