import Logging
import MoatCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A listening SMTP/LMTP server: accepts connections, runs one `SMTPServerSession` per
/// connection and hands finished transactions to the message handler. Only I/O lives
/// here; protocol decisions are the session's, policy decisions the `SMTPServerPolicy`'s.
public final class SMTPServer: Sendable {
    public struct Limits: Sendable {
        /// Concurrent sessions; more get `421 4.3.2` and are closed.
        public var maxConnections: Int
        /// Concurrent sessions from one client address (0 = unlimited); more get `421 4.7.0`
        /// (Postfix `smtpd_client_connection_count_limit`).
        public var maxConnectionsPerClient: Int
        /// Addresses the per-client limit does not apply to (Postfix exempts mynetworks).
        public var perClientExempt: @Sendable (String) -> Bool
        /// Time allowed between two client commands (not counting our own processing).
        public var idleTimeout: TimeAmount
        /// Delay of each error reply past the soft error limit (`smtpd_error_sleep_time`).
        public var errorSleep: TimeAmount
        /// Message bytes in memory, shared with the process's other listeners.
        public var messageMemory: MessageMemoryBudget

        public init(maxConnections: Int, maxConnectionsPerClient: Int = 0,
                    perClientExempt: @escaping @Sendable (String) -> Bool = { _ in false },
                    idleTimeout: TimeAmount, errorSleep: TimeAmount = .seconds(1),
                    messageMemory: MessageMemoryBudget = MessageMemoryBudget(limit: 0)) {
            self.maxConnections = maxConnections
            self.maxConnectionsPerClient = maxConnectionsPerClient
            self.perClientExempt = perClientExempt
            self.idleTimeout = idleTimeout
            self.errorSleep = errorSleep
            self.messageMemory = messageMemory
        }
    }

    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let settings: SMTPServerSettings
    private let limits: Limits
    private let handler: any SMTPMessageHandler
    private let policy: (any SMTPServerPolicy)?
    private let tls: NIOSSLContext?
    private let logger: Logger
    private let sessions = NIOLockedValueBox(SessionCounts())

    /// The bound address (useful with port 0).
    public let localAddress: SocketAddress

    /// Binds the listener; `run()` then serves it.
    /// - Parameters:
    ///   - policy: asked at connect, RCPT and DATA (with `settings.checksPolicy`); nil for the filter.
    ///   - tls: the STARTTLS context; STARTTLS is offered exactly when there is one.
    public static func bind(host: String, port: Int, settings: SMTPServerSettings, limits: Limits,
                            handler: any SMTPMessageHandler, policy: (any SMTPServerPolicy)? = nil,
                            tls: NIOSSLContext? = nil, group: any EventLoopGroup,
                            logger: Logger) async throws -> SMTPServer {
        let idle = limits.idleTimeout
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    let timer = SessionIdleTimer()
                    try child.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle, writeTimeout: idle))
                    try child.pipeline.syncOperations.addHandler(timer)
                    try child.pipeline.syncOperations.addHandler(StartTLSSwitch())
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child)
                }
            }
        var settings = settings
        settings.offersSTARTTLS = tls != nil
        return SMTPServer(channel: channel, settings: settings, limits: limits, handler: handler, policy: policy,
                          tls: tls, logger: logger)
    }

    private init(channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>,
                 settings: SMTPServerSettings, limits: Limits, handler: any SMTPMessageHandler,
                 policy: (any SMTPServerPolicy)?, tls: NIOSSLContext?, logger: Logger) {
        self.serverChannel = channel
        self.settings = settings
        self.limits = limits
        self.handler = handler
        self.policy = policy
        self.tls = tls
        self.logger = logger
        self.localAddress = channel.channel.localAddress!
    }

    /// Accepts and serves connections until the listener is closed. One child task per
    /// connection in a discarding task group, so finished sessions free their memory at once.
    public func run() async throws {
        try await serverChannel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    /// Stops accepting; running sessions finish on their own.
    public func close() async {
        try? await serverChannel.channel.close()
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let peer = connection.channel.remoteAddress?.ipAddress
        let admission = sessions.withLockedValue { $0.admit(peer, limits: limits) }
        defer { if admission == nil { sessions.withLockedValue { $0.release(peer) } } }
        var logger = self.logger
        logger[metadataKey: "client"] = "\(peer ?? "unknown")"
        do {
            try await connection.executeThenClose { inbound, outbound in
                if let refusal = admission {
                    try await outbound.write(ByteBuffer(bytes: refusal.reply(settings.hostname, peer).encoded()))
                    logger.warning("refused connection: \(refusal)")
                    return
                }
                var session = SMTPServerSession(settings: settings, peerAddress: peer,
                                                localPort: connection.channel.localAddress?.port)
                var connectionPolicy: (any SMTPConnectionPolicy)?
                if let policy {
                    switch await policy.connect(peerAddress: peer, localPort: connection.channel.localAddress?.port) {
                    case .success(let accepted):
                        connectionPolicy = accepted
                        session.setClientHostname(accepted.clientHostname)
                        // Bytes before the banner (the lookups gave it time): a spambot
                        // that does not wait, as Postfix's postscreen pregreet test finds.
                        if try await StartTLSSwitch.readsSoFar(on: connection.channel) > 0 { session.clientSpokeEarly() }
                    case .failure(let refusal):
                        try await outbound.write(ByteBuffer(bytes: refusal.reply.encoded()))
                        return
                    }
                }
                var connectionLoop = ConnectionLoop(
                    session: session,
                    decoder: SMTPInboundDecoder(maxLineLength: settings.maxLineLength,
                                                maxMessageSize: settings.maxMessageSize,
                                                requireCRLFEndOfData: settings.requireCRLFEndOfData),
                    timer: try await connection.channel.pipeline.handler(type: SessionIdleTimer.self).get(),
                    handler: handler, policy: connectionPolicy, tls: tls, channel: connection.channel,
                    errorSleep: limits.errorSleep, outbound: outbound,
                    memory: MessageMemoryReservation(budget: limits.messageMemory))
                try await connectionLoop.run(inbound)
            }
        } catch {
            logger.debug("session ended: \(error)")
        }
    }
}

/// Sessions in progress, in all and per client address.
private struct SessionCounts {
    var total = 0
    var perClient: [String: Int] = [:]

    enum Refusal: CustomStringConvertible {
        case tooMany(Int)
        case tooManyFromClient(Int)

        func reply(_ hostname: String, _ peer: String?) -> SMTPReply {
            switch self {
            case .tooMany: SMTPReply(421, "4.3.2", "\(hostname) Error: too many connections")
            case .tooManyFromClient: SMTPReply(421, "4.7.0", "\(hostname) Error: too many connections from \(peer ?? "unknown")")
            }
        }

        var description: String {
            switch self {
            case .tooMany(let n): "\(n) sessions active"
            case .tooManyFromClient(let n): "\(n) sessions from this client"
            }
        }
    }

    /// nil when admitted (and counted).
    mutating func admit(_ peer: String?, limits: SMTPServer.Limits) -> Refusal? {
        guard total < limits.maxConnections else { return .tooMany(total) }
        if let peer, limits.maxConnectionsPerClient > 0, !limits.perClientExempt(peer) {
            let count = perClient[peer, default: 0]
            guard count < limits.maxConnectionsPerClient else { return .tooManyFromClient(count) }
        }
        total += 1
        if let peer { perClient[peer, default: 0] += 1 }
        return nil
    }

    mutating func release(_ peer: String?) {
        total -= 1
        if let peer {
            let left = perClient[peer, default: 1] - 1
            perClient[peer] = left > 0 ? left : nil
        }
    }
}

/// Drives one session: decoder events in, session actions carried out. Replies produced
/// by one read are written together, which is what PIPELINING clients expect.
private struct ConnectionLoop {
    var session: SMTPServerSession
    var decoder: SMTPInboundDecoder
    let timer: SessionIdleTimer
    let handler: any SMTPMessageHandler
    let policy: (any SMTPConnectionPolicy)?
    let tls: NIOSSLContext?
    let channel: any Channel
    let errorSleep: TimeAmount
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var memory: MessageMemoryReservation
    /// The handler's trace header for the message in DATA.
    var trace: (id: String, header: [UInt8])?
    var pending: [UInt8] = []
    /// Inbound reads consumed so far, and how many to drop after a switch to TLS.
    var readsConsumed = 0
    var dropUntilRead = 0
    var observer: TLSHandshakeObserver?

    mutating func run(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws {
        timer.onTimeout = session.timeoutReply.encoded()
        defer { memory.endTransaction() }
        try await outbound.write(ByteBuffer(bytes: session.greeting().encoded()))
        for try await buffer in inbound {
            readsConsumed += 1
            if readsConsumed <= dropUntilRead { continue } // plaintext sent after STARTTLS
            if let observer {
                // The first decrypted bytes: the handshake is done.
                session.tlsStarted(observer.info ?? SMTPTLSInfo(version: "TLS", cipher: "unknown", bits: nil))
                self.observer = nil
            }
            // The idle timeout is for waiting on the client: working through what it sent
            // (a pipelined flood of RCPTs, a slow filter) does not count.
            timer.busy = true
            decoder.feed(buffer.readableBytesView)
            while let event = decoder.next() {
                let actions: [SMTPServerSession.Action]
                switch event {
                case .line(let line):
                    actions = session.received(line: line, moreInputBuffered: decoder.bufferedByteCount > 0)
                case .lineTooLong: actions = session.receivedOverlongLine()
                case .message(let bytes, let size):
                    actions = memory.cover(bytes?.count ?? 0) ? session.received(message: bytes, size: size)
                        : session.refused(message: MessageMemoryBudget.refusal)
                }
                // After a switch to TLS the decoder is empty: the loop ends by itself.
                if try await perform(actions) == .close { return }
                if case .message = event { memory.endTransaction() }
            }
            if !memory.cover(decoder.heldMessageBytes) { decoder.stopKeepingMessage() }
            try await flush()
            timer.busy = false
        }
    }

    private enum Next { case goOn, close }

    /// Carries out actions.
    private mutating func perform(_ actions: [SMTPServerSession.Action]) async throws -> Next {
        for action in actions {
            switch action {
            case .reply(let reply):
                if session.isSlowedDown && errorSleep > .zero { // smtpd_error_sleep_time
                    try await flush()
                    try await Task.sleep(nanoseconds: UInt64(errorSleep.nanoseconds))
                }
                pending += reply.encoded()
            case .beginData:
                trace = session.transactionInData.flatMap { handler.traceHeader(for: $0) }
                decoder.beginData(prefix: trace?.header ?? [])
            case .deliver:
                guard var transaction = session.pendingTransaction else { continue }
                transaction.traceID = trace?.id
                try await flush()
                let outcome = await handler.handle(transaction)
                let next = try await perform(session.deliveryFinished(outcome))
                if next != .goOn { return next }
            case .checkRecipient, .checkData:
                guard let request = session.pendingPolicyRequest else { continue }
                let refusal: SMTPReply?
                if let policy {
                    refusal = action == .checkData ? await policy.checkData(request) : await policy.checkRecipient(request)
                } else {
                    refusal = nil
                }
                let answer = action == .checkData ? session.dataChecked(refusal) : session.recipientChecked(refusal)
                let next = try await perform(answer)
                if next != .goOn { return next }
            case .startTLS:
                guard let tls else { return .close }
                let observer = TLSHandshakeObserver()
                let before = try await StartTLSSwitch.perform(on: channel, reply: pending, sslContext: tls,
                                                              observer: observer)
                pending.removeAll(keepingCapacity: true)
                decoder.discardBuffered()
                dropUntilRead = before
                self.observer = observer
                return .goOn
            case .close:
                try await flush()
                return .close
            }
        }
        return .goOn
    }

    private mutating func flush() async throws {
        guard !pending.isEmpty else { return }
        try await outbound.write(ByteBuffer(bytes: pending))
        pending.removeAll(keepingCapacity: true)
    }
}

/// Closes an idle session with Postfix's 421 reply. Timeouts while the message handler
/// works are ignored: then the client is waiting for us, not the other way round.
private final class SessionIdleTimer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    // Guarded by the lock: read on the event loop, written from the session task.
    private let state = NIOLockedValueBox<(busy: Bool, reply: [UInt8]?)>((false, nil))

    var busy: Bool {
        get { state.withLockedValue { $0.busy } }
        set { state.withLockedValue { $0.busy = newValue } }
    }

    var onTimeout: [UInt8]? {
        get { state.withLockedValue { $0.reply } }
        set { state.withLockedValue { $0.reply = newValue } }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if idle == .write {
            // Replies stuck for the whole timeout: a client that sends and never reads
            // (Postfix's smtpd_timeout covers writes too). Drop it; nothing to say.
            if !context.channel.isWritable { context.close(promise: nil) }
            return
        }
        guard idle == .read else { return }
        let (busy, reply) = state.withLockedValue { ($0.busy, $0.reply) }
        guard !busy else { return }
        if let reply {
            context.writeAndFlush(NIOAny(ByteBuffer(bytes: reply)), promise: nil)
        }
        context.close(promise: nil)
    }
}
