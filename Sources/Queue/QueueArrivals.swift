/// Messages written to the spool by other tasks (the MX), announced to the scheduler so it
/// delivers them at once without a rescan. A stream rather than a reference to the
/// scheduler, so writers and scheduler can be built in either order.
public struct QueueArrivals: Sendable {
    let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
    }

    /// `id` is on disk and due now.
    public func announce(_ id: String) {
        continuation.yield(id)
    }
}
