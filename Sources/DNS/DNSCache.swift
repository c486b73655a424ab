/// A small TTL-bounded cache of answers: positive (records) and negative (NXDOMAIN/NODATA,
/// stored as an empty list). Errors are never cached. Entries live for the record TTL
/// capped at `maxTTL`; a TTL of 0 is not cached (RFC 2308 5: negative answers without an
/// SOA are not cached). When full, expired entries go first, then everything: a DNSBL
/// cache is cheap to refill and a full sweep keeps the cost bounded.
struct DNSCache: Sendable {
    struct Key: Hashable, Sendable {
        let name: String
        let type: DNSRecordType
    }

    private struct Entry: Sendable {
        let records: [String]
        let expires: ContinuousClock.Instant
    }

    let capacity: Int
    let maxTTL: Duration
    private var entries: [Key: Entry] = [:]

    init(capacity: Int, maxTTL: Duration) {
        self.capacity = capacity
        self.maxTTL = maxTTL
    }

    var count: Int { entries.count }

    mutating func get(_ key: Key, now: ContinuousClock.Instant) -> [String]? {
        guard let entry = entries[key] else { return nil }
        if entry.expires <= now {
            entries[key] = nil
            return nil
        }
        return entry.records
    }

    mutating func put(_ key: Key, records: [String], ttl: Int, now: ContinuousClock.Instant) {
        guard ttl > 0, capacity > 0, maxTTL > .zero else { return }
        if entries.count >= capacity, entries[key] == nil {
            entries = entries.filter { $0.value.expires > now }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        }
        let lifetime = min(Duration.seconds(ttl), maxTTL)
        entries[key] = Entry(records: records, expires: now + lifetime)
    }

    mutating func removeAll() { entries.removeAll() }
}
