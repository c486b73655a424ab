import Directory
import Logging
import MailAccess
import MoatCore
import NetworkService
import NIOCore
import NIOPosix
import NIOSSL
import POP3

/// The listeners that give users their mail: POP3 (`[pop3] listen` with STLS, `listen_tls`
/// with TLS from the first byte) over the Maildirs the MX delivers to, logins checked
/// against the directory by one `MailLogin` (one auth penalty table for every protocol, as
/// Dovecot's auth process). Bound with the other listeners, before the privilege drop;
/// their settings take effect at the next restart.
final class MailboxAccessListeners: Sendable {
    private struct Bound: Sendable {
        let name: String
        let server: POP3Server
        let endpoint: EndpointText
    }

    private let bound: [Bound]
    private let pool: BlockingWorkPool

    private init(bound: [Bound], pool: BlockingWorkPool) {
        self.bound = bound
        self.pool = pool
    }

    /// Binds what `[pop3]` asks for; none when it is disabled.
    static func bind(config: MoatConfig, logger: Logger) async throws -> MailboxAccessListeners {
        let pool = BlockingWorkPool(name: "moat-mailbox-io", threads: 4)
        guard config.pop3.listener.enabled else { return MailboxAccessListeners(bound: [], pool: pool) }
        let directory = try DirectoryStore(path: config.storage.directoryDatabase)
        let auth = config.auth
        let login = MailLogin(directory: directory, pool: pool, settings: MailLogin.Settings(
            penalty: AuthPenalty.Settings(initial: auth.penalty, maximum: auth.penaltyMax),
            maxSessionsPerUserAddress: config.pop3.listener.maxUserConnections))
        let plaintext = PlaintextAuthPolicy(securedNetworks: try NetworkSet(auth.securedNetworks, includeLoopback: false))
        let pop3 = config.pop3
        let tls: NIOSSLContext?
        do {
            tls = try MXService.tlsContext(pop3.listener.tls, logger: logger, listener: "pop3")
        } catch {
            throw ListenerBindError(issue: config.origin.issue("pop3.tls", error.key, error.description))
        }
        let mailRoot = config.storage.mailRoot
        let uidl = UIDLFormat(pop3.uidlFormat)
        var service = POP3Server.Service(
            session: POP3Session.Settings(greeting: pop3.listener.greeting),
            login: login,
            openMaildrop: { mailbox in try MailstoreMaildrop(maildir: mailbox.maildir(mailRoot: mailRoot), uidlFormat: uidl) },
            pool: pool, plaintext: plaintext,
            admission: ConnectionAdmission.Rules(maxConnections: pop3.listener.maxConnections,
                                                 maxConnectionsPerClient: pop3.listener.maxConnectionsPerClient),
            idleTimeout: TimeAmount(pop3.listener.idleTimeout), tls: tls)
        var bound: [Bound] = []
        do {
            for (key, text, implicitTLS) in [("listen", pop3.listener.listen, false), ("listen_tls", pop3.listener.listenTLS, true)]
            where !text.isEmpty {
                if implicitTLS && tls == nil {
                    throw ListenerBindError(issue: config.origin.issue("pop3", key, "needs a certificate: [pop3.tls] certificate and key"))
                }
                service.implicitTLS = implicitTLS
                let endpoint = try EndpointText(parsing: text)
                let server = try await ListenerBindError.naming(endpoint, "pop3", config.origin, key: key) {
                    try await POP3Server.bind(host: endpoint.host, port: endpoint.port, service: service,
                                              group: MultiThreadedEventLoopGroup.singleton, logger: logger)
                }
                bound.append(Bound(name: implicitTLS ? "POP3S" : "POP3", server: server, endpoint: endpoint))
            }
        } catch {
            for listener in bound { await listener.server.close() }
            throw error
        }
        return MailboxAccessListeners(bound: bound, pool: pool)
    }

    /// What each listener is bound to, for the start-up log.
    var boundAddresses: [String] {
        bound.map { "\($0.name) listening on \(SocketAddressText($0.server.localAddress, $0.endpoint))" }
    }

    /// Serves every listener until `stop`; returns when all have ended.
    func run(logger: Logger) async {
        await withDiscardingTaskGroup { group in
            for listener in bound {
                group.addTask {
                    do {
                        try await listener.server.run()
                    } catch {
                        logger.error("\(listener.name) listener ended: \(error)")
                    }
                }
            }
        }
    }

    func stop() async {
        for listener in bound { await listener.server.close() }
    }
}
