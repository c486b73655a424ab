import NetworkService
import Filter
import Logging
import MoatCore
import NIOCore
import Quarantine
import SMTP

/// The content-filter listener (`[filter]`, Postfix's `content_filter` target): what its
/// sessions run on for one configuration.
enum FilterListener {
    static func service(config: MoatConfig, checker: ContentChecker, reinject: SMTPEndpoint,
                        quarantine: QuarantineStore?, messageMemory: MessageMemoryBudget,
                        logger: Logger) throws -> SMTPServer.Service {
        let f = config.filter
        let listen = try EndpointText(parsing: f.listen)
        let pipeline = FilterPipeline(checker: checker, policy: FilterPolicy(config: config), quarantine: quarantine,
                                      relay: SMTPRelay(endpoint: reinject, heloName: f.hostname, logger: logger),
                                      logger: logger)
        return SMTPServer.Service(
            settings: SMTPServerSettings(hostname: f.hostname, lmtp: listen.lmtp, maxMessageSize: f.maxMessageSize,
                                         maxRecipients: f.maxRecipients),
            // Postfix's side of the filter runs with smtpd_error_sleep_time=0; so do we.
            limits: SMTPServer.Limits(
                admission: ConnectionAdmission.Rules(allowed: try NetworkSet(f.allow), maxConnections: f.maxConnections,
                                                     guards: f.guards),
                timeouts: SessionTimeouts(idle: f.idleTimeout, guards: f.guards), errorSleep: .zero,
                messageMemory: messageMemory),
            handler: pipeline)
    }
}
