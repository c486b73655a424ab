import MoatCore

/// Dovecot's auth penalty (`auth-penalty.h`): each failed login from an address makes the
/// next answer to that address wait longer, 2, 4, 8 then 15 seconds, so guessing passwords
/// from one place gets slow while a user who mistyped once barely notices. A success resets
/// it; so does half a minute without failures (Dovecot's AUTH_PENALTY_TIMEOUT, the sum of the
/// delays). IPv6 clients count per /48, as Dovecot's PENALTY_IPV6_MASK_BITS, so one host
/// cannot dodge it by walking its own address range.
public struct AuthPenalty: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Delay after the first failure; it doubles with each further one.
        public var initial: Duration
        /// Longest delay.
        public var maximum: Duration

        public init(initial: Duration = .seconds(2), maximum: Duration = .seconds(15)) {
            self.initial = initial
            self.maximum = maximum
        }

        /// Failures beyond which the delay stops growing (2, 4, 8, 15 with the defaults).
        var maximumLevel: Int {
            var level = 1
            while delay(level: level) < maximum && level < 16 { level += 1 }
            return level
        }

        func delay(level: Int) -> Duration {
            guard level > 0 else { return .zero }
            let doubled = initial * (1 << min(level - 1, 16))
            return min(doubled, maximum)
        }

        /// After this long without a failure the address starts afresh.
        var forgetAfter: Duration {
            (1...maximumLevel).reduce(.zero) { $0 + delay(level: $1) }
        }
    }

    private struct Record {
        var level: Int
        var lastFailure: ContinuousClock.Instant
    }

    public let settings: Settings
    private var records: [String: Record] = [:]
    /// Bounds memory under a spray of addresses: past this many, the oldest are forgotten.
    private let capacity: Int

    public init(settings: Settings = Settings(), capacity: Int = 100_000) {
        self.settings = settings
        self.capacity = capacity
    }

    /// How long to wait before answering a login attempt from `address`.
    public func delay(for address: String?, now: ContinuousClock.Instant) -> Duration {
        guard let key = Self.key(address), let record = records[key],
              now - record.lastFailure < settings.forgetAfter else { return .zero }
        return settings.delay(level: record.level)
    }

    /// Counts a failed login from `address`.
    public mutating func failed(_ address: String?, now: ContinuousClock.Instant) {
        guard let key = Self.key(address) else { return }
        var record = records[key] ?? Record(level: 0, lastFailure: now)
        if now - record.lastFailure >= settings.forgetAfter { record.level = 0 }
        record.level = min(record.level + 1, settings.maximumLevel)
        record.lastFailure = now
        records[key] = record
        if records.count > capacity { forgetOldest(now: now) }
    }

    /// A successful login from `address` clears its penalty.
    public mutating func succeeded(_ address: String?) {
        guard let key = Self.key(address) else { return }
        records[key] = nil
    }

    /// Drops the expired records, then the oldest down to 90% of the capacity, so a spray
    /// of addresses costs one sort per tenth of the capacity, not a scan per failure.
    private mutating func forgetOldest(now: ContinuousClock.Instant) {
        records = records.filter { now - $0.value.lastFailure < settings.forgetAfter }
        let keep = capacity * 9 / 10
        guard records.count > keep else { return }
        let newest = records.sorted { $0.value.lastFailure > $1.value.lastFailure }.prefix(keep)
        records = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }

    /// The address a penalty is kept under: IPv4 as is, IPv6 cut to its /48.
    static func key(_ address: String?) -> String? {
        guard let address, let parsed = IPAddress(address) else { return address }
        if parsed.isIPv4 { return parsed.description }
        let network = IPAddress(networkBytes: Array(parsed.bytes.prefix(6)) + Array(repeating: 0, count: 10))
        return (network?.description ?? address) + "/48"
    }
}
