import NetworkService
import MoatCore
import NIOCore
import SMTP

extension SessionTimeouts {
    /// A listener's timeouts from its section: `idle_timeout` and the guard keys.
    init(idle: Duration, guards: ListenerGuardSettings) {
        self.init(idle: TimeAmount(idle), stressIdle: TimeAmount(guards.stressIdleTimeout),
                  minDataRate: guards.minDataRate,
                  sessionLimit: guards.sessionTimeLimit > .zero ? TimeAmount(guards.sessionTimeLimit) : nil)
    }
}

extension ConnectionAdmission.Rules {
    /// A listener's admission rules from its section's limits and guard keys.
    init(allowed: NetworkSet? = nil, maxConnections: Int, maxConnectionsPerClient: Int = 0,
         exempt: @escaping @Sendable (String) -> Bool = { _ in false }, guards: ListenerGuardSettings) {
        self.init(allowed: allowed, maxConnections: maxConnections, maxConnectionsPerClient: maxConnectionsPerClient,
                  connectionRateLimit: guards.clientConnectionRateLimit,
                  rateTimeUnit: TimeAmount(guards.anvilRateTimeUnit), exempt: exempt)
    }
}
