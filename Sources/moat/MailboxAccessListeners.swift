import Directory
import Filter
import IMAPServer
import Logging
import MailAccess
import MoatCore
import MX
import NetworkService
import NIOCore
import NIOPosix
import NIOSSL
import POP3
import Quarantine
import Queue

/// The listeners that give users their mail: IMAP (`[imap]`) and POP3 (`[pop3]`), each on
/// `listen` (STARTTLS/STLS when a certificate exists) and `listen_tls` (TLS from the first
/// byte), over the Maildirs the MX delivers to. One `MailLogin` checks every login (one
/// auth penalty table for both protocols, as Dovecot's auth process). Bound with the other
/// listeners, before the privilege drop; their settings take effect at the next restart,
/// except the certificate files, read again at each reload (`certificates`).
final class MailboxAccessListeners: Sendable {
    private struct Bound: Sendable {
        let name: String
        let endpoint: EndpointText
        let localAddress: SocketAddress
        let run: @Sendable () async throws -> Void
        let close: @Sendable () async -> Void
        /// Serves a renewed certificate to new connections (`moat reload`).
        let replaceTLS: @Sendable (NIOSSLContext) -> Void
    }

    private let bound: [Bound]
    /// The listeners' certificate pairs, read again at each reload.
    let certificates: MailboxAccessCertificates

    private init(bound: [Bound], certificates: MailboxAccessCertificates) {
        self.bound = bound
        self.certificates = certificates
    }

    /// Binds what `[imap]` and `[pop3]` ask for. `quarantine` is the one the filter writes
    /// (each user's Quarantine folder shows it); `messageMemory` bounds APPENDs held in memory
    /// together with the SMTP listeners' messages.
    static func bind(config: MoatConfig, quarantine: QuarantineStore, messageMemory: MessageMemoryBudget,
                     logger: Logger) async throws -> MailboxAccessListeners {
        var certificates = MailboxAccessCertificates(origin: config.origin)
        guard config.imap.listener.enabled || config.pop3.listener.enabled else {
            return MailboxAccessListeners(bound: [], certificates: certificates)
        }
        let pool = BlockingWorkPool(name: "moat-mailbox-io", threads: 4)
        let directory = try DirectoryStore(path: config.storage.directoryDatabase)
        let auth = config.auth
        let penalty = AuthPenalty.Settings(initial: auth.penalty, maximum: auth.penaltyMax)
        let plaintext = PlaintextAuthPolicy(securedNetworks: try NetworkSet(auth.securedNetworks, includeLoopback: false))
        let mailRoot = config.storage.mailRoot
        let login = MailLogin(directory: directory, pool: pool, settings: MailLogin.Settings(
            penalty: penalty, maxSessionsPerUserAddress: [.imap: config.imap.listener.maxUserConnections,
                                                          .pop3: config.pop3.listener.maxUserConnections]))
        var bound: [Bound] = []
        do {
            if config.imap.listener.enabled {
                let imap = config.imap
                let tls = try tlsContext(imap.listener, section: "imap", config: config, logger: logger)
                // Moves into and out of Junk teach Bayes (the site's, or with per_user the user's own).
                let junk: BayesJunkLearner? = config.bayes.enabled ? try BayesJunkLearner(settings: config.bayes, logger: logger) : nil
                var service = IMAPServer.Service(
                    session: SessionSettings(greeting: imap.listener.greeting, appendLimit: imap.appendLimit),
                    login: login, pool: pool, plaintext: plaintext, mailRoot: mailRoot,
                    admission: admission(imap.listener), idleTimeout: TimeAmount(imap.listener.idleTimeout), tls: tls,
                    junk: junk, quarantine: quarantineFolder(config: config, store: quarantine, directory: directory, logger: logger),
                    memory: messageMemory)
                let servers = try await bindEndpoints(imap.listener, section: "imap", names: ("IMAP", "IMAPS"), tls: tls,
                                                      config: config, logger: logger) { endpoint, implicitTLS in
                    service.implicitTLS = implicitTLS
                    return try await IMAPServer.bind(host: endpoint.host, port: endpoint.port, service: service,
                                                     group: MultiThreadedEventLoopGroup.singleton, logger: logger)
                }
                bound += servers
                certificates.add("imap", imap.listener.tls, loadedAtStart: tls != nil, replace: servers.map(\.replaceTLS))
            }
            if config.pop3.listener.enabled {
                let pop3 = config.pop3
                let tls = try tlsContext(pop3.listener, section: "pop3", config: config, logger: logger)
                let uidl = UIDLFormat(pop3.uidlFormat)
                var service = POP3Server.Service(
                    session: POP3Session.Settings(greeting: pop3.listener.greeting), login: login,
                    openMaildrop: { mailbox in try MailstoreMaildrop(maildir: mailbox.maildir(mailRoot: mailRoot), uidlFormat: uidl) },
                    pool: pool, plaintext: plaintext, admission: admission(pop3.listener),
                    idleTimeout: TimeAmount(pop3.listener.idleTimeout), tls: tls)
                let servers = try await bindEndpoints(pop3.listener, section: "pop3", names: ("POP3", "POP3S"), tls: tls,
                                                      config: config, logger: logger) { endpoint, implicitTLS in
                    service.implicitTLS = implicitTLS
                    return try await POP3Server.bind(host: endpoint.host, port: endpoint.port, service: service,
                                                     group: MultiThreadedEventLoopGroup.singleton, logger: logger)
                }
                bound += servers
                certificates.add("pop3", pop3.listener.tls, loadedAtStart: tls != nil, replace: servers.map(\.replaceTLS))
            }
        } catch {
            for listener in bound { await listener.close() }
            throw error
        }
        return MailboxAccessListeners(bound: bound, certificates: certificates)
    }

    /// Each user's Quarantine folder (`[imap] quarantine_folder`), over the quarantine the
    /// filter writes; releases go the way `moat quarantine release` sends them.
    private static func quarantineFolder(config: MoatConfig, store: QuarantineStore, directory: DirectoryStore,
                                         logger: Logger) -> QuarantineFolder? {
        guard !config.imap.quarantineFolder.isEmpty else { return nil }
        let releaser = QuarantineReleaser(store: store, logger: logger) { origin -> any MessageRelay in
            origin == .mx ? QueueInjection(spool: Spool(directory: config.storage.queueDirectory))
                : try Components.relay(config, logger: logger)
        }
        let resolver = RecipientResolver(store: directory, mailRoot: config.storage.mailRoot,
                                         recipientDelimiter: config.delivery.recipientDelimiter)
        return QuarantineFolder(name: config.imap.quarantineFolder,
                                source: QuarantineMailboxSource(store: store, resolver: resolver, releaser: releaser))
    }

    /// Binds `listen` and `listen_tls` of one protocol (`names`: how the start-up log calls
    /// each), through `bind`, which makes the server for an endpoint, TLS from the first byte
    /// or not. A failure names the key and its line, and closes what this call had bound.
    private static func bindEndpoints<Server: MailboxServer>(
        _ settings: MailListenerSettings, section: String, names: (plain: String, tls: String), tls: NIOSSLContext?,
        config: MoatConfig, logger: Logger, bind: (EndpointText, Bool) async throws -> Server
    ) async throws -> [Bound] {
        var bound: [Bound] = []
        do {
            for (key, implicitTLS, endpoint) in try endpoints(settings, section: section, tls: tls, config: config, logger: logger) {
                let server = try await ListenerBindError.naming(endpoint, section, config.origin, key: key) {
                    try await bind(endpoint, implicitTLS)
                }
                bound.append(Bound(name: implicitTLS ? names.tls : names.plain, endpoint: endpoint,
                                   localAddress: server.localAddress, run: { try await server.run() },
                                   close: { await server.close() }, replaceTLS: { server.replaceTLS($0) }))
            }
        } catch {
            // `listen` bound, `listen_tls` not: the caller never sees the first, so it goes here.
            for listener in bound { await listener.close() }
            throw error
        }
        return bound
    }

    private static func admission(_ settings: MailListenerSettings) -> ConnectionAdmission.Rules {
        ConnectionAdmission.Rules(maxConnections: settings.maxConnections, maxConnectionsPerClient: settings.maxConnectionsPerClient)
    }

    private static func tlsContext(_ settings: MailListenerSettings, section: String, config: MoatConfig,
                                   logger: Logger) throws -> NIOSSLContext? {
        do {
            return try MXService.tlsContext(settings.tls, logger: logger, listener: section)
        } catch {
            throw ListenerBindError(issue: config.origin.issue("\(section).tls", error.key, error.description))
        }
    }

    /// `listen` and `listen_tls` as set; `listen_tls` without a certificate is skipped with
    /// a warning (as STARTTLS is not offered then), so a fresh install still serves on loopback.
    private static func endpoints(_ settings: MailListenerSettings, section: String, tls: NIOSSLContext?, config: MoatConfig,
                                  logger: Logger) throws -> [(String, Bool, EndpointText)] {
        var out: [(String, Bool, EndpointText)] = []
        if !settings.listen.isEmpty { out.append(("listen", false, try EndpointText(parsing: settings.listen))) }
        if !settings.listenTLS.isEmpty {
            if tls == nil {
                logger.warning("\(section): listen_tls \(settings.listenTLS) not served: no certificate (\(section).tls)")
            } else {
                out.append(("listen_tls", true, try EndpointText(parsing: settings.listenTLS)))
            }
        }
        return out
    }

    /// What each listener is bound to, for the start-up log.
    var boundAddresses: [String] {
        bound.map { "\($0.name) listening on \(SocketAddressText($0.localAddress, $0.endpoint))" }
    }

    /// Serves every listener until `stop`; returns when all have ended.
    func run(logger: Logger) async {
        await withDiscardingTaskGroup { group in
            for listener in bound {
                group.addTask {
                    do {
                        try await listener.run()
                    } catch {
                        logger.error("\(listener.name) listener ended: \(error)")
                    }
                }
            }
        }
    }

    func stop() async {
        for listener in bound { await listener.close() }
    }
}

/// What `MailboxAccessListeners` needs of a bound IMAP or POP3 server.
protocol MailboxServer: Sendable {
    var localAddress: SocketAddress { get }
    func run() async throws
    func close() async
    func replaceTLS(_ tls: NIOSSLContext)
}

extension IMAPServer: MailboxServer {}
extension POP3Server: MailboxServer {}
