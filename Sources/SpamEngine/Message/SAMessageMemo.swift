import MoatCore

/// Per-message memo for derived values that several rules ask for (a header's joined or
/// listed values, the Date/Received time difference…): computed once per message, not once
/// per rule. Locked because an SAMessage is shared across tasks; the computation runs
/// outside the lock, so racing callers may both compute (the results are equal).
final class SAMessageMemo: Sendable {
    /// Header texts are typed tables (the hot path: every header rule and most evals);
    /// other derived values are boxed by name.
    private struct Tables {
        var header: [HeaderSelector: [UInt8]?] = [:]
        var headerValues: [HeaderSelector: [[UInt8]]] = [:]
        var named: [String: any Sendable] = [:]
    }

    private let tables = Locked(Tables())

    func header(_ selector: HeaderSelector, compute: () -> [UInt8]?) -> [UInt8]? {
        if let hit = tables.withLock({ $0.header[selector] }) { return hit }
        let value = compute()
        tables.withLock { $0.header[selector] = .some(value) }
        return value
    }

    func headerValues(_ selector: HeaderSelector, compute: () -> [[UInt8]]) -> [[UInt8]] {
        if let hit = tables.withLock({ $0.headerValues[selector] }) { return hit }
        let value = compute()
        tables.withLock { $0.headerValues[selector] = value }
        return value
    }

    func value<T: Sendable>(_ key: String, compute: () -> T) -> T {
        // Look up the entry itself first: casting an absent (nil) entry to an Optional T
        // would "succeed" and read as a cached nil.
        if let entry = tables.withLock({ $0.named[key] }), let hit = entry as? T { return hit }
        let value = compute()
        tables.withLock { $0.named[key] = .some(value as any Sendable) } // boxes a nil T too
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
