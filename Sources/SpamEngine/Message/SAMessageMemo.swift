import Foundation
import MIME

/// A per-message fact that several rules read (the Date/Received difference, the From
/// addresses, the relay counts…): declared once as a `static let`, it owns one slot of
/// every message's memo, so a lookup is an array index, not a hash of a name.
struct SAMemoKey<Value: Sendable>: Sendable {
    let slot: Int

    init() { slot = SAMemoSlots.allocate() }
}

/// Hands out memo slots; only runs while the `static let` keys initialise.
private enum SAMemoSlots {
    nonisolated(unsafe) private static var count = 0
    private static let lock = NSLock()

    static func allocate() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count - 1
    }
}

/// Per-message memo for derived values that several rules ask for: computed once per
/// message, not once per rule. Locked because an SAMessage is shared across tasks; the
/// computation runs outside the lock, so racing callers may both compute (the results
/// are equal).
final class SAMessageMemo: @unchecked Sendable {
    // @unchecked: every access to the tables goes through `lock`.
    private let lock = NSLock()
    /// Boxed values by `SAMemoKey.slot`; a box's type is fixed by its key.
    private var slots: [AnyObject?] = []
    private var tables = Tables()

    private struct Tables {
        /// Header texts by selector (every header rule and most evals).
        var header: [HeaderSelector: [UInt8]?] = [:]
        var headerValues: [HeaderSelector: [[UInt8]]] = [:]
        /// Address lists parsed from header lines, by line.
        var addresses: [BytesKey: [SAAddressParser.Address]] = [:]
    }

    init() {
        // The stock rules read about 150 selectors: grown once, not rehashed eight times.
        tables.header.reserveCapacity(256)
    }

    private final class Box<T: Sendable>: Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }

    func value<T: Sendable>(_ key: SAMemoKey<T>, compute: () -> T) -> T {
        lock.lock()
        let hit = key.slot < slots.count ? slots[key.slot] : nil
        lock.unlock()
        // Only the code below fills a slot, always with a Box<T> for this key's T.
        if let hit { return unsafeDowncast(hit, to: Box<T>.self).value }
        let value = compute()
        lock.lock()
        if slots.count <= key.slot { slots.append(contentsOf: repeatElement(nil, count: key.slot + 1 - slots.count)) }
        slots[key.slot] = Box(value)
        lock.unlock()
        return value
    }

    func header(_ selector: HeaderSelector, compute: () -> [UInt8]?) -> [UInt8]? {
        cached(selector, in: \.header, compute: compute)
    }

    func headerValues(_ selector: HeaderSelector, compute: () -> [[UInt8]]) -> [[UInt8]] {
        cached(selector, in: \.headerValues, compute: compute)
    }

    func addresses(_ line: [UInt8], compute: () -> [SAAddressParser.Address]) -> [SAAddressParser.Address] {
        cached(BytesKey(line), in: \.addresses, compute: compute)
    }

    private func cached<K: Hashable, V>(_ key: K, in table: WritableKeyPath<Tables, [K: V]>, compute: () -> V) -> V {
        lock.lock()
        let hit = tables[keyPath: table][key]
        lock.unlock()
        if let hit { return hit }
        let value = compute()
        lock.lock()
        tables[keyPath: table][key] = value
        lock.unlock()
        return value
    }
}

extension SAMessage {
    /// A value derived from this message, computed at most once per `key` (racing callers
    /// may both compute it; the results are equal).
    func memoized<T: Sendable>(_ key: SAMemoKey<T>, _ compute: () -> T) -> T {
        memo.value(key, compute: compute)
    }
}
