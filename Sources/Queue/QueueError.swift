import MoatCore

/// What can go wrong with the spool, with the queue ID or path involved.
public enum QueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call on the spool failed.
    case io(SystemCallError)
    /// No message with this ID is queued (it may have been delivered or deleted).
    case notFound(id: String)
    /// The ID cannot be a queue ID (a typo, or an attempt to name a path).
    case malformedID(String)
    /// An envelope file that does not decode; the message is left in place for inspection.
    case corruptEnvelope(path: String, reason: String)
    /// The message is held or active already, for hold/release.
    case wrongState(id: String, expected: String)

    public var description: String {
        switch self {
        case .io(let error): return "queue: \(error)"
        case .notFound(let id): return "queue: no message \(id)"
        case .malformedID(let id): return "queue: '\(id)' is not a queue ID"
        case .corruptEnvelope(let path, let reason): return "queue: corrupt envelope \(path): \(reason)"
        case .wrongState(let id, let expected): return "queue: message \(id) is not \(expected)"
        }
    }
}

/// Runs `body`, wrapping a `SystemCallError` as `QueueError.io`.
@discardableResult
func spoolIO<T>(_ body: () throws -> T) throws(QueueError) -> T {
    do {
        return try body()
    } catch let error as SystemCallError {
        throw .io(error)
    } catch let error as QueueError {
        throw error
    } catch {
        throw .io(SystemCallError(operation: "unknown", path: "\(error)", errno: 0))
    }
}
