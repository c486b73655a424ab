import MoatCore
import NIOCore

/// Whether a listener takes a new connection, as a value: the client access list
/// (amavisd-new's `@inet_acl`), the session limit, Postfix's per-client concurrency and rate
/// limits (`smtpd_client_connection_count_limit`, `smtpd_client_connection_rate_limit` per
/// `anvil_rate_time_unit`, with `smtpd_client_event_limit_exceptions`), and whether the
/// listener is short of free slots ("stress", when Postfix shortens its timeouts).
/// The server holds one behind a lock and carries out its answers.
public struct ConnectionAdmission: Sendable {
    public struct Rules: Sendable {
        /// Clients that may connect at all; nil = every client (the MX, whose restrictions decide).
        public var allowed: NetworkSet?
        /// Concurrent sessions in all.
        public var maxConnections: Int
        /// Concurrent sessions from one client address; 0 = unlimited.
        public var maxConnectionsPerClient: Int
        /// Connections one client may open per `rateTimeUnit`; 0 = unlimited.
        public var connectionRateLimit: Int
        /// Postfix `anvil_rate_time_unit`.
        public var rateTimeUnit: TimeAmount
        /// Clients the per-client limits do not apply to (Postfix exempts mynetworks).
        public var exempt: @Sendable (String) -> Bool
        /// Stress begins when fewer than this share of `maxConnections` is free.
        public var stressFreeShare: Double

        public init(allowed: NetworkSet? = nil, maxConnections: Int, maxConnectionsPerClient: Int = 0,
                    connectionRateLimit: Int = 0, rateTimeUnit: TimeAmount = .seconds(60),
                    exempt: @escaping @Sendable (String) -> Bool = { _ in false }, stressFreeShare: Double = 0.2) {
            self.allowed = allowed
            self.maxConnections = maxConnections
            self.maxConnectionsPerClient = maxConnectionsPerClient
            self.connectionRateLimit = connectionRateLimit
            self.rateTimeUnit = rateTimeUnit
            self.exempt = exempt
            self.stressFreeShare = stressFreeShare
        }
    }

    /// Why a connection is refused; each protocol words it for the client before its greeting.
    public enum Refusal: Sendable, Equatable, CustomStringConvertible {
        case notAllowed
        case tooMany(active: Int)
        case tooManyFromClient(active: Int)
        case rateExceeded(connections: Int, per: TimeAmount)

        public var description: String {
            switch self {
            case .notAllowed: "client not in the access list"
            case .tooMany(let n): "\(n) sessions active"
            case .tooManyFromClient(let n): "\(n) sessions from this client"
            case .rateExceeded(let n, let unit): "\(n) connections from this client within \(unit.nanoseconds / 1_000_000_000)s"
            }
        }
    }

    public private(set) var rules: Rules
    public private(set) var active = 0
    private var activePerClient: [String: Int] = [:]
    /// Per client: when its rate window opened and how many connections it made in it (anvil).
    private var rates: [String: (windowStart: NIODeadline, count: Int)] = [:]
    private var lastRateSweep: NIODeadline?
    /// Fewer than `stressFreeShare` of the slots are free.
    public private(set) var isStressed = false

    public init(_ rules: Rules) {
        self.rules = rules
    }

    /// The answer for a new connection from `peer` at `now`; an admitted one is counted
    /// until `release`. `stressChanged`: this admission moved the listener into stress.
    public mutating func admit(_ peer: String?, now: NIODeadline) -> (refusal: Refusal?, stressChanged: Bool) {
        if let allowed = rules.allowed {
            guard let peer, allowed.contains(peer) else { return (.notAllowed, false) }
        }
        guard active < rules.maxConnections else { return (.tooMany(active: active), false) }
        if let peer, !rules.exempt(peer) {
            if let refusal = countAttempt(peer, now: now) { return (refusal, false) }
            let count = activePerClient[peer, default: 0]
            if rules.maxConnectionsPerClient > 0, count >= rules.maxConnectionsPerClient {
                return (.tooManyFromClient(active: count), false)
            }
        }
        active += 1
        if let peer { activePerClient[peer, default: 0] += 1 }
        return (nil, updateStress())
    }

    /// Takes new rules (a reload), keeping the sessions and rate windows counted so far.
    /// Returns whether that moved the listener into or out of stress.
    public mutating func replaceRules(_ rules: Rules) -> Bool {
        self.rules = rules
        return updateStress()
    }

    /// A session admitted earlier ended. Returns whether the listener left stress.
    public mutating func release(_ peer: String?) -> Bool {
        active -= 1
        if let peer {
            let left = activePerClient[peer, default: 1] - 1
            activePerClient[peer] = left > 0 ? left : nil
        }
        return updateStress()
    }

    /// Anvil's rate count: every attempt in the window counts, refused ones too, so a
    /// client hammering the port stays refused until its window closes.
    private mutating func countAttempt(_ peer: String, now: NIODeadline) -> Refusal? {
        guard rules.connectionRateLimit > 0 else { return nil }
        sweepRates(now: now)
        var entry = rates[peer] ?? (now, 0)
        if now - entry.windowStart >= rules.rateTimeUnit { entry = (now, 0) }
        entry.count += 1
        rates[peer] = entry
        return entry.count > rules.connectionRateLimit
            ? .rateExceeded(connections: entry.count, per: rules.rateTimeUnit) : nil
    }

    /// Forgets clients whose window closed, at most once per time unit, so the table holds
    /// only the clients of the last unit or two.
    private mutating func sweepRates(now: NIODeadline) {
        if let last = lastRateSweep, now - last < rules.rateTimeUnit { return }
        lastRateSweep = now
        let unit = rules.rateTimeUnit
        rates = rates.filter { now - $0.value.windowStart < unit }
    }

    private mutating func updateStress() -> Bool {
        let free = rules.maxConnections - active
        let stressed = Double(free) < rules.stressFreeShare * Double(rules.maxConnections)
        defer { isStressed = stressed }
        return stressed != isStressed
    }
}
