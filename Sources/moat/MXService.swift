import DNS
import Foundation
import Delivery
import Directory
import Filter
import Logging
import MX
import MoatCore
import NIOCore
import NIOPosix
import NIOSSL
import Policy
import Quarantine
import Queue
import SMTP

/// The MX side of `moat serve`: the directory, the durable queue and its delivery, the
/// restriction policy and the listener with STARTTLS, all from `[mx]`, `[storage]`,
/// `[queue]` and `[delivery]`.
struct MXService {
    let server: SMTPServer
    let scheduler: QueueScheduler
    let listen: EndpointText

    static func start(config: MoatConfig, checker: ContentChecker, quarantine: QuarantineStore?,
                      logger: Logger, maildirPermissions: FilePermissions? = nil) async throws -> MXService {
        let mx = config.mx
        let store = try DirectoryStore(path: config.storage.directoryDatabase)
        let resolver = try UnboundResolver(UnboundResolver.Configuration(config.dns), logger: logger)
        let pool = BlockingWorkPool(name: "moat-mx-io", threads: max(4, config.queue.maxConcurrentDeliveries))
        let spool = Spool(directory: config.storage.queueDirectory)
        try spool.prepare()

        var afterQueue = FilterPolicy(config: config)
        afterQueue.stage = .afterQueue
        afterQueue.hostname = mx.hostname
        var beforeQueue = afterQueue
        beforeQueue.stage = .beforeQueue

        let postmaster = EmailAddress(uncheckedLocalPart: "postmaster", domain: mx.hostname)
        let listen = try EndpointText(parsing: mx.listen)
        let deliverer = try MailDeliverer(
            delivery: config.delivery, storage: config.storage, directory: store, resolver: resolver, logger: logger,
            identity: LocalIdentity(hostname: mx.hostname, names: [mx.hostname],
                                    addresses: InterfaceAddresses.served(byListenerOn: listen.host)),
            maildirPermissions: maildirPermissions)
        let arrivals = QueueArrivals()
        let relay = QueueRelay(spool: spool, arrivals: arrivals, pool: pool, logger: logger)
        let scheduler = QueueScheduler(
            spool: spool,
            deliverer: PendingFilterDeliverer(
                filter: FilterPipeline(checker: checker, policy: afterQueue, quarantine: quarantine, relay: relay,
                                       logger: logger),
                next: deliverer),
            configuration: QueueScheduler.Configuration(config.queue, bounces: BounceSettings(reportingMTA: mx.hostname, from: postmaster)),
            arrivals: arrivals, logger: logger)

        let filter = mx.filter
            ? FilterPipeline(checker: checker, policy: beforeQueue, quarantine: quarantine, relay: relay, logger: logger,
                             budget: FilterPipeline.Budget(limit: mx.filterBudget, overflow: relay))
            : nil
        let mynetworks = try NetworkSet(mx.mynetworks)
        let restrictions = try RestrictionPolicy(
            parsing: [.client: mx.restrictions.client, .helo: mx.restrictions.helo, .sender: mx.restrictions.sender,
                      .relay: mx.restrictions.relay, .recipient: mx.restrictions.recipient, .data: mx.restrictions.data],
            mynetworks: mynetworks)
        let recipients = DirectoryRecipients(
            store: store,
            resolver: RecipientResolver(store: store, mailRoot: config.storage.mailRoot,
                                        recipientDelimiter: config.delivery.recipientDelimiter),
            relayDomains: mx.relayDomains, pool: pool)
        let spoolSpace = SpoolSpaceCheck(
            spoolDirectory: spool.directory,
            admission: SpoolAdmission(minimumFree: Int64(config.queue.minimumFree),
                                      messageSizeLimit: Int64(mx.maxMessageSize)),
            logger: logger)
        let policy = MXServerPolicy(policy: restrictions, resolver: resolver, directory: recipients,
                                    clientLookupTimeout: mx.clientLookupTimeout, spoolSpace: spoolSpace, logger: logger)

        let tls = try tlsContext(mx.tls, logger: logger)
        let server = try await SMTPServer.bind(
            host: listen.host, port: listen.port,
            settings: SMTPServerSettings(hostname: mx.hostname, banner: mx.greeting, maxMessageSize: mx.maxMessageSize,
                                         maxRecipients: mx.maxRecipients, softErrorLimit: mx.softErrorLimit,
                                         hardErrorLimit: mx.hardErrorLimit, acceptXForward: false,
                                         heloRequired: mx.heloRequired, checksPolicy: true,
                                         postmasterDomain: mx.postmasterDomain),
            limits: SMTPServer.Limits(
                admission: ConnectionAdmission.Rules(
                    maxConnections: mx.maxConnections, maxConnectionsPerClient: mx.maxConnectionsPerClient,
                    exempt: { IPAddress($0).map(mynetworks.contains) ?? false }, guards: mx.guards),
                timeouts: SessionTimeouts(idle: mx.idleTimeout, guards: mx.guards),
                errorSleep: TimeAmount(mx.errorSleepTime)),
            handler: MXMessageHandler(hostname: mx.hostname, filter: filter, queue: relay, logger: logger),
            policy: policy, tls: tls, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        return MXService(server: server, scheduler: scheduler, listen: listen)
    }

    /// STARTTLS from `[mx.tls]`, TLS 1.2 and later; nil (with a warning) when the files are
    /// missing, so a fresh install still receives mail in plaintext.
    static func tlsContext(_ settings: MXSettings.TLS, logger: Logger) throws -> NIOSSLContext? {
        guard FileManager.default.fileExists(atPath: settings.certificate),
              FileManager.default.fileExists(atPath: settings.key) else {
            logger.warning("mx: no certificate at \(settings.certificate) / key at \(settings.key): STARTTLS not offered")
            return nil
        }
        let chain = try NIOSSLCertificate.fromPEMFile(settings.certificate).map { NIOSSLCertificateSource.certificate($0) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: settings.key, format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: configuration)
    }
}
