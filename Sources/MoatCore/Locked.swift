import Foundation

/// A value behind a lock, for state shared between Swift tasks and threads that C
/// libraries call back on (libunbound, libclamav's scan pool). Closures passed to
/// `withLock` must not block or call back into the box.
public final class Locked<Value>: @unchecked Sendable {
    // @unchecked: every access to `value` goes through `lock`.
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
