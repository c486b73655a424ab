import MoatCore

/// Per-message memo for derived values that several rules ask for (a header's joined or
/// listed values, the Date/Received time difference…): computed once per message, not once
/// per rule. Locked because an SAMessage is shared across tasks; the computation runs
/// outside the lock, so racing callers may both compute (the results are equal).
final class SAMessageMemo: Sendable {
    /// Which cached thing: distinct kinds for the same selector must not collide.
    private enum Key: Hashable {
        case header(HeaderSelector)
        case headerValues(HeaderSelector)
        case named(String)
    }

    private let values = Locked<[Key: any Sendable]>([:])

    private func cached<T: Sendable>(_ key: Key, _ compute: () -> T) -> T {
        // Look up the entry itself first: casting an absent (nil) entry to an Optional T
        // would "succeed" and read as a cached nil.
        if let entry = values.withLock({ $0[key] }), let hit = entry as? T { return hit }
        let value = compute()
        values.withLock { $0[key] = .some(value as any Sendable) } // boxes a nil T too
        return value
    }

    func header(_ selector: HeaderSelector, compute: () -> [UInt8]?) -> [UInt8]? {
        cached(.header(selector), compute)
    }

    func headerValues(_ selector: HeaderSelector, compute: () -> [[UInt8]]) -> [[UInt8]] {
        cached(.headerValues(selector), compute)
    }

    func value<T: Sendable>(_ key: String, compute: () -> T) -> T {
        cached(.named(key), compute)
    }
}

extension SAMessage {
    /// A value derived from this message, computed at most once per `key` (racing callers
    /// may both compute it; the results are equal).
    public func memoized<T: Sendable>(_ key: String, _ compute: () -> T) -> T {
        memo.value(key, compute: compute)
    }
}
