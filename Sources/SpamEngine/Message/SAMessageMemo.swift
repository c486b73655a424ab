import Foundation

/// Per-message memo for derived values that several rules ask for (a header's decoded
/// value, the Date/Received time difference…): computed once per message, not once per
/// rule. Guarded by a lock because an SAMessage is shared across tasks.
final class SAMessageMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var headers: [HeaderSelector: [UInt8]?] = [:]
    private var values: [String: any Sendable] = [:]

    func header(_ selector: HeaderSelector, compute: () -> [UInt8]?) -> [UInt8]? {
        lock.lock()
        if let cached = headers[selector] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let value = compute()
        lock.lock()
        headers[selector] = .some(value)
        lock.unlock()
        return value
    }

    private var headerLists: [HeaderSelector: [[UInt8]]] = [:]

    func headerValues(_ selector: HeaderSelector, compute: () -> [[UInt8]]) -> [[UInt8]] {
        lock.lock()
        if let cached = headerLists[selector] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let value = compute()
        lock.lock()
        headerLists[selector] = value
        lock.unlock()
        return value
    }

    func value<T: Sendable>(_ key: String, compute: () -> T) -> T {
        lock.lock()
        if let cached = values[key] as? T {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let value = compute()
        lock.lock()
        values[key] = value
        lock.unlock()
        return value
    }
}

extension SAMessage {
    /// A value derived from this message, computed at most once per `key` (racing callers
    /// may both compute it; the results are equal).
    public func memoized<T: Sendable>(_ key: String, _ compute: () -> T) -> T {
        memo.value(key, compute: compute)
    }
}
