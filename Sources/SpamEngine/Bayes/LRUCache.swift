/// A small least-recently-used map: at most `capacity` entries, the one used longest ago
/// dropped first. Eviction scans the entries, so it is meant for a few dozen (open
/// database handles), not thousands.
struct LRUCache<Key: Hashable, Value> {
    let capacity: Int
    private var entries: [Key: (value: Value, used: UInt64)] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity > 0, "an LRU cache holds at least one entry")
        self.capacity = capacity
    }

    var count: Int { entries.count }

    /// The value for `key`, now the most recently used; nil when absent.
    mutating func value(for key: Key) -> Value? {
        guard let entry = entries[key] else { return nil }
        clock += 1
        entries[key] = (entry.value, clock)
        return entry.value
    }

    /// Stores `value` as the most recently used; returns the entry evicted to make room.
    @discardableResult
    mutating func insert(_ value: Value, for key: Key) -> (key: Key, value: Value)? {
        clock += 1
        var evicted: (key: Key, value: Value)? = nil
        if entries[key] == nil, entries.count >= capacity,
           let oldest = entries.min(by: { $0.value.used < $1.value.used }) {
            entries[oldest.key] = nil
            evicted = (oldest.key, oldest.value.value)
        }
        entries[key] = (value, clock)
        return evicted
    }

    func contains(_ key: Key) -> Bool { entries[key] != nil }
}
