/// The keys that keep one client from holding a listener's slots, read alike from `[mx]`
/// and `[filter]` (Postfix smtpd's names and defaults where it has them).
public struct ListenerGuardSettings: Sendable, Equatable {
    /// `smtpd_timeout` under stress (Postfix `${stress?{10}:{300}}`), per request: applies
    /// when fewer than a fifth of `max_connections` is free.
    public var stressIdleTimeout: Duration = .seconds(10)
    /// Postfix `smtpd_min_data_rate`, bytes per second: DATA may take at most the idle
    /// timeout plus its size divided by this. 0 = off.
    public var minDataRate = 500
    /// The longest one session may keep the listener waiting; 0 = no limit.
    public var sessionTimeLimit: Duration = .seconds(3600)
    /// Postfix `smtpd_client_connection_rate_limit`: connections one client may open per
    /// `anvil_rate_time_unit`; 0 = no limit.
    public var clientConnectionRateLimit = 0
    /// Postfix `anvil_rate_time_unit`.
    public var anvilRateTimeUnit: Duration = .seconds(60)

    public init(clientConnectionRateLimit: Int = 0) {
        self.clientConnectionRateLimit = clientConnectionRateLimit
    }

    /// Reads the keys of `s`, falling back to `defaults`.
    init(_ s: ConfigSection, defaults: ListenerGuardSettings) {
        self = defaults
        stressIdleTimeout = s.duration("stress_idle_timeout", default: stressIdleTimeout)
        minDataRate = s.int("min_data_rate", default: minDataRate, range: 0...1_000_000_000)
        sessionTimeLimit = s.duration("session_time_limit", default: sessionTimeLimit)
        clientConnectionRateLimit = s.int("client_connection_rate_limit", default: clientConnectionRateLimit,
                                          range: 0...1_000_000)
        anvilRateTimeUnit = s.duration("anvil_rate_time_unit", default: anvilRateTimeUnit)
        if stressIdleTimeout <= .zero { s.report("stress_idle_timeout", "must be positive") }
        if anvilRateTimeUnit <= .zero { s.report("anvil_rate_time_unit", "must be positive") }
    }
}
