import Directory
import Logging
import MailAccess
import MoatCore
import NetworkService
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// A listening POP3 server (110 with STLS, or 995 with TLS from the first byte): accepts
/// connections and runs one `POP3Session` per connection. Only I/O lives here; protocol
/// decisions are the session's, logins `MailLogin`'s, storage the maildrop's.
public final class POP3Server: Sendable {
    /// What sessions run on; a reload may replace it (sessions keep the one they began with).
    public struct Service: Sendable {
        public var session: POP3Session.Settings
        public var login: MailLogin
        /// Opens the user's INBOX as a maildrop (blocking; run on `pool`).
        public var openMaildrop: @Sendable (Mailbox) throws -> any POP3Maildrop
        public var pool: BlockingWorkPool
        public var plaintext: PlaintextAuthPolicy
        public var admission: ConnectionAdmission.Rules
        /// RFC 1939 §3: at least 10 minutes.
        public var idleTimeout: TimeAmount
        /// The certificate for STLS, or for the whole connection when `implicitTLS`.
        public var tls: NIOSSLContext?
        public var implicitTLS: Bool

        public init(session: POP3Session.Settings, login: MailLogin, openMaildrop: @escaping @Sendable (Mailbox) throws -> any POP3Maildrop,
                    pool: BlockingWorkPool, plaintext: PlaintextAuthPolicy = PlaintextAuthPolicy(),
                    admission: ConnectionAdmission.Rules, idleTimeout: TimeAmount = .minutes(10),
                    tls: NIOSSLContext? = nil, implicitTLS: Bool = false) {
            self.session = session
            self.login = login
            self.openMaildrop = openMaildrop
            self.pool = pool
            self.plaintext = plaintext
            self.admission = admission
            self.idleTimeout = idleTimeout
            self.tls = tls
            self.implicitTLS = implicitTLS
        }
    }

    private let socket: ListeningSocket
    private let service: NIOLockedValueBox<Service>
    private let admission: AdmissionGate
    private let logger: Logger
    /// The bound address (useful with port 0).
    public let localAddress: SocketAddress

    /// Binds the listener; `run()` then serves it.
    public static func bind(host: String, port: Int, service: Service, group: any EventLoopGroup,
                            logger: Logger) async throws -> POP3Server {
        let box = NIOLockedValueBox(service)
        let socket = try await ListeningSocket.bind(host: host, port: port, group: group) { child in
            let current = box.withLockedValue { $0 }
            try MailboxListenerPipeline.configure(child, tls: current.tls, implicitTLS: current.implicitTLS,
                                                  idleTimeout: current.idleTimeout,
                                                  farewell: POP3Response.error("Disconnected for inactivity."))
        }
        return POP3Server(socket: socket, service: box, logger: logger)
    }

    private init(socket: ListeningSocket, service: NIOLockedValueBox<Service>, logger: Logger) {
        self.socket = socket
        self.service = service
        self.logger = logger
        self.admission = AdmissionGate(service.withLockedValue { $0.admission })
        self.localAddress = socket.localAddress
    }

    /// Serves new connections on `service` from now on.
    public func reconfigure(_ service: Service) {
        self.service.withLockedValue { $0 = service }
        admission.replaceRules(service.admission)
    }

    /// New connections use `tls` from now on (a renewed certificate read by `moat reload`),
    /// on the TLS port and for STLS; sessions already running keep the one they began with.
    public func replaceTLS(_ tls: NIOSSLContext) {
        service.withLockedValue { $0.tls = tls }
    }

    /// Accepts and serves connections until the listener is closed.
    public func run() async throws {
        try await socket.run { await self.serve($0) }
    }

    /// Stops accepting; running sessions finish on their own.
    public func close() async {
        await socket.close()
    }

    private func serve(_ connection: ListeningSocket.Connection) async {
        let service = self.service.withLockedValue { $0 }
        let peer = connection.channel.remoteAddress?.ipAddress
        var logger = self.logger
        logger[metadataKey: "client"] = "\(peer ?? "unknown")"
        await admission.admitting(peer) { refusal in
            do {
                try await connection.executeThenClose { inbound, outbound in
                    if let refusal {
                        try await outbound.write(ByteBuffer(bytes: POP3Response.error("Too many connections.", code: .inUse)))
                        logger.warning("pop3: refused connection: \(refusal)")
                        return
                    }
                    var loop = POP3ConnectionLoop(service: service, channel: connection.channel, outbound: outbound, peer: peer,
                                                  local: connection.channel.localAddress?.ipAddress, logger: logger)
                    do {
                        try await loop.run(inbound)
                    } catch {
                        await loop.ended()
                        throw error
                    }
                    await loop.ended()
                }
            } catch {
                logger.debug("pop3 session ended: \(error)")
            }
        }
    }
}
