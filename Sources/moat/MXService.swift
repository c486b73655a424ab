import NetworkService
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

/// The MX side of `moat serve` that lives as long as the process: the directory, the
/// resolver, the durable queue with its scheduler and delivery. What a reload rebuilds
/// (the listener's service and the after-queue filter) comes from `service(...)`.
struct MXService {
    let store: DirectoryStore
    let resolver: UnboundResolver
    let pool: BlockingWorkPool
    let spool: Spool
    let relay: QueueRelay
    let scheduler: QueueScheduler
    /// The queue's deliverer: the after-queue filter of the current generation in front of
    /// the process's one `MailDeliverer`.
    let deliverer: ReplaceableDeliverer
    private let mailDeliverer: MailDeliverer

    /// The MX's long-lived parts from `[storage]`, `[queue]`, `[delivery]` and `[dns]`,
    /// which a reload keeps; the queue starts with `afterQueue` as its filter.
    static func start(config: MoatConfig, logger: Logger, maildirPermissions: FilePermissions? = nil) throws -> MXService {
        let mx = config.mx
        let store = try DirectoryStore(path: config.storage.directoryDatabase)
        let resolver = try UnboundResolver(UnboundResolver.Configuration(config.dns), logger: logger)
        let pool = BlockingWorkPool(name: "moat-mx-io", threads: max(4, config.queue.maxConcurrentDeliveries))
        let spool = Spool(directory: config.storage.queueDirectory)
        try spool.prepare()
        let listen = try EndpointText(parsing: mx.listen)
        let mailDeliverer = try MailDeliverer(
            delivery: config.delivery, storage: config.storage, directory: store, resolver: resolver, logger: logger,
            identity: LocalIdentity(hostname: mx.hostname, names: [mx.hostname],
                                    addresses: InterfaceAddresses.served(byListenerOn: listen.host)),
            maildirPermissions: maildirPermissions)
        let arrivals = QueueArrivals()
        let relay = QueueRelay(spool: spool, arrivals: arrivals, pool: pool, logger: logger)
        // Mail still marked filter-pending is held back (a temporary failure) until the
        // first generation puts its filter in front.
        let deliverer = ReplaceableDeliverer(mailDeliverer)
        let postmaster = EmailAddress(uncheckedLocalPart: "postmaster", domain: mx.hostname)
        let scheduler = QueueScheduler(
            spool: spool, deliverer: deliverer,
            configuration: QueueScheduler.Configuration(config.queue, bounces: BounceSettings(reportingMTA: mx.hostname, from: postmaster)),
            arrivals: arrivals, logger: logger)
        return MXService(store: store, resolver: resolver, pool: pool, spool: spool, relay: relay, scheduler: scheduler,
                         deliverer: deliverer, mailDeliverer: mailDeliverer)
    }

    /// What the MX listener's sessions run on for `config`, and the after-queue filter the
    /// queue uses with it: restrictions, STARTTLS, the before-queue filter and its budget.
    func service(config: MoatConfig, parts: StartupValidation.MXParts, checker: ContentChecker,
                 quarantine: QuarantineStore?, messageMemory: MessageMemoryBudget,
                 logger: Logger) async -> (service: SMTPServer.Service, afterQueue: PendingFilterDeliverer) {
        let mx = config.mx
        var afterQueue = FilterPolicy(config: config)
        afterQueue.stage = .afterQueue
        afterQueue.hostname = mx.hostname
        if config.notify.admin == nil {
            afterQueue.admin = MXNoticeAdmin.firstLocalPostmaster(store: store, pool: pool)
        }
        var beforeQueue = afterQueue
        beforeQueue.stage = .beforeQueue
        let recipientResolver = RecipientResolver(store: store, mailRoot: config.storage.mailRoot,
                                                  recipientDelimiter: config.delivery.recipientDelimiter)
        var checker = checker
        if checker.bayesUsers != nil { checker.bayesUsers = DirectoryBayesUsers(resolver: recipientResolver, pool: pool) }
        let pending = PendingFilterDeliverer(
            filter: FilterPipeline(checker: checker, policy: afterQueue, quarantine: quarantine, relay: relay,
                                   logger: logger),
            next: mailDeliverer)

        let filter = mx.filter
            ? FilterPipeline(checker: checker, policy: beforeQueue, quarantine: quarantine, relay: relay, logger: logger,
                             budget: FilterPipeline.Budget(limit: mx.filterBudget, overflow: relay))
            : nil
        let mynetworks = parts.mynetworks
        let recipients = DirectoryRecipients(
            store: store,
            resolver: recipientResolver,
            relayDomains: mx.relayDomains, pool: pool)
        if let problem = await MXNoticeAdmin.problem(with: afterQueue.admin, recipients: recipients) {
            logger.warning("notify: \(problem)")
        }
        let spoolSpace = SpoolSpaceCheck(
            spoolDirectory: spool.directory,
            admission: SpoolAdmission(minimumFree: Int64(config.queue.minimumFree),
                                      messageSizeLimit: Int64(mx.maxMessageSize)),
            logger: logger)
        let policy = MXServerPolicy(policy: parts.restrictions, resolver: resolver, directory: recipients,
                                    clientLookupTimeout: mx.clientLookupTimeout, spoolSpace: spoolSpace, logger: logger)
        let service = SMTPServer.Service(
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
                errorSleep: TimeAmount(mx.errorSleepTime), messageMemory: messageMemory),
            handler: MXMessageHandler(hostname: mx.hostname, filter: filter, queue: relay, logger: logger),
            policy: policy, tls: parts.tls)
        return (service, pending)
    }

    /// STARTTLS from `[mx.tls]`, TLS 1.2 and later; nil (with a warning) when neither file
    /// exists, so a fresh install still receives mail in plaintext. Half a pair, a file that
    /// does not load, or a key that does not match the certificate is an error.
    /// - Parameter listener: who the warning is about (`mx`, `pop3`).
    static func tlsContext(_ settings: MXSettings.TLS, logger: Logger, listener: String = "mx") throws(TLSPairError) -> NIOSSLContext? {
        let fm = FileManager.default
        switch (fm.fileExists(atPath: settings.certificate), fm.fileExists(atPath: settings.key)) {
        case (false, false):
            logger.warning("\(listener): no certificate at \(settings.certificate) / key at \(settings.key): STARTTLS not offered")
            return nil
        case (true, false):
            throw TLSPairError(key: "key", path: settings.key, reason: "no such file (the certificate exists)")
        case (false, true):
            throw TLSPairError(key: "certificate", path: settings.certificate, reason: "no such file (the key exists)")
        case (true, true):
            break
        }
        let chain: [NIOSSLCertificateSource]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(settings.certificate).map { .certificate($0) }
            if chain.isEmpty { throw NIOSSLError.failedToLoadCertificate }
        } catch {
            throw TLSPairError(key: "certificate", path: settings.certificate, reason: "not a PEM certificate chain (\(error))")
        }
        do {
            key = try NIOSSLPrivateKey(file: settings.key, format: .pem)
        } catch {
            throw TLSPairError(key: "key", path: settings.key, reason: "not a PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSPairError(key: "key", path: settings.key,
                               reason: "does not go with the certificate \(settings.certificate) (\(error))")
        }
    }
}

/// A STARTTLS pair that cannot be used; `key` is the `[mx.tls]` key to blame.
struct TLSPairError: Error, CustomStringConvertible {
    let key: String
    let path: String
    let reason: String
    var description: String { "\(path): \(reason)" }
}
