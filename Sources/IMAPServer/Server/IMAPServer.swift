import IMAP
import Logging
import MailAccess
import MoatCore
import NetworkService
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// A listening IMAP server (143 with STARTTLS, or 993 with TLS from the first byte): one
/// `IMAPSession` per connection over the codec. Only I/O lives here.
public final class IMAPServer: Sendable {
    public struct Service: Sendable {
        public var session: SessionSettings
        public var login: MailLogin
        public var pool: BlockingWorkPool
        public var plaintext: PlaintextAuthPolicy
        /// `<root>/<domain>/<user>/Maildir`.
        public var mailRoot: String
        public var admission: ConnectionAdmission.Rules
        /// RFC 9051 §5.4: at least 30 minutes of inactivity before autologout.
        public var idleTimeout: TimeAmount
        public var tls: NIOSSLContext?
        public var implicitTLS: Bool
        /// Learns from Junk moves; nil when Bayes is off.
        public var junk: (any JunkLearner)?
        /// Each user's quarantine as a mailbox; nil when not offered.
        public var quarantine: QuarantineFolder?
        /// Mail in memory across the process (APPEND literals here, SMTP messages there).
        public var memory: MessageMemoryBudget?

        public init(session: SessionSettings, login: MailLogin, pool: BlockingWorkPool, plaintext: PlaintextAuthPolicy,
                    mailRoot: String, admission: ConnectionAdmission.Rules, idleTimeout: TimeAmount = .minutes(30),
                    tls: NIOSSLContext? = nil, implicitTLS: Bool = false, junk: (any JunkLearner)? = nil,
                    quarantine: QuarantineFolder? = nil, memory: MessageMemoryBudget? = nil) {
            self.session = session
            self.login = login
            self.pool = pool
            self.plaintext = plaintext
            self.mailRoot = mailRoot
            self.admission = admission
            self.idleTimeout = idleTimeout
            self.tls = tls
            self.implicitTLS = implicitTLS
            self.junk = junk
            self.quarantine = quarantine
            self.memory = memory
        }
    }

    private let socket: ListeningSocket
    private let service: NIOLockedValueBox<Service>
    private let admission: AdmissionGate
    private let logger: Logger
    /// The bound address (useful with port 0).
    public let localAddress: SocketAddress

    public static func bind(host: String, port: Int, service: Service, group: any EventLoopGroup,
                            logger: Logger) async throws -> IMAPServer {
        let box = NIOLockedValueBox(service)
        let socket = try await ListeningSocket.bind(host: host, port: port, group: group) { child in
            let current = box.withLockedValue { $0 }
            try MailboxListenerPipeline.configure(child, tls: current.tls, implicitTLS: current.implicitTLS,
                                                  idleTimeout: current.idleTimeout,
                                                  farewell: Array("* BYE Disconnected for inactivity.\r\n".utf8))
        }
        return IMAPServer(socket: socket, service: box, logger: logger)
    }

    private init(socket: ListeningSocket, service: NIOLockedValueBox<Service>, logger: Logger) {
        self.socket = socket
        self.service = service
        self.logger = logger
        self.admission = AdmissionGate(service.withLockedValue { $0.admission })
        self.localAddress = socket.localAddress
    }

    /// New connections use `tls` from now on (a renewed certificate read by `moat reload`),
    /// on the TLS port and for STARTTLS; sessions already running keep the one they began with.
    public func replaceTLS(_ tls: NIOSSLContext) {
        service.withLockedValue { $0.tls = tls }
    }

    public func run() async throws {
        try await socket.run { await self.serve($0) }
    }

    public func close() async {
        await socket.close()
    }

    private func serve(_ connection: ListeningSocket.Connection) async {
        let service = self.service.withLockedValue { $0 }
        let peer = connection.channel.remoteAddress?.ipAddress
        var logger = self.logger
        logger[metadataKey: "client"] = "\(peer ?? "unknown")"
        await admission.admitting(peer) { refusal in
            let session = IMAPSession(
                settings: service.session, login: service.login, pool: service.pool, plaintext: service.plaintext,
                mailRoot: service.mailRoot, tlsAvailable: service.tls != nil,
                tlsActive: service.implicitTLS && service.tls != nil, peer: peer,
                localAddress: connection.channel.localAddress?.ipAddress, junk: service.junk, quarantine: service.quarantine,
                memory: service.memory, logger: logger)
            do {
                try await connection.executeThenClose { inbound, outbound in
                    if let refusal {
                        try await outbound.write(ByteBuffer(bytes: Array("* BYE Too many connections.\r\n".utf8)))
                        logger.warning("imap: refused connection: \(refusal)")
                        return
                    }
                    var loop = IMAPConnection(
                        session: session, channel: connection.channel, outbound: outbound, tls: service.tls,
                        parser: CommandParser(limits: ParserLimits(maxLiteralSize: service.session.appendLimit)), logger: logger)
                    try await loop.run(inbound)
                }
            } catch {
                logger.debug("imap session ended: \(error)")
            }
            await session.ended()
        }
    }
}
