import Logging
import MoatCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A listening SMTP/LMTP server: accepts connections, runs one `SMTPServerSession` per
/// connection and hands finished transactions to the message handler. Only I/O lives
/// here; protocol decisions are the session's.
public final class SMTPServer: Sendable {
    public struct Limits: Sendable {
        /// Concurrent sessions; more get `421 4.3.2` and are closed.
        public var maxConnections: Int
        /// Time allowed between two client commands (not counting our own processing).
        public var idleTimeout: TimeAmount

        public init(maxConnections: Int, idleTimeout: TimeAmount) {
            self.maxConnections = maxConnections
            self.idleTimeout = idleTimeout
        }
    }

    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let settings: SMTPServerSettings
    private let limits: Limits
    private let handler: any SMTPMessageHandler
    private let logger: Logger
    private let activeSessions = NIOLockedValueBox(0)

    /// The bound address (useful with port 0).
    public let localAddress: SocketAddress

    /// Binds the listener; `run()` then serves it.
    public static func bind(host: String, port: Int, settings: SMTPServerSettings, limits: Limits,
                            handler: any SMTPMessageHandler, group: any EventLoopGroup,
                            logger: Logger) async throws -> SMTPServer {
        let idle = limits.idleTimeout
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    let timer = SessionIdleTimer()
                    try child.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                    try child.pipeline.syncOperations.addHandler(timer)
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child)
                }
            }
        return SMTPServer(channel: channel, settings: settings, limits: limits, handler: handler, logger: logger)
    }

    private init(channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>,
                 settings: SMTPServerSettings, limits: Limits, handler: any SMTPMessageHandler, logger: Logger) {
        self.serverChannel = channel
        self.settings = settings
        self.limits = limits
        self.handler = handler
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
        let admitted = activeSessions.withLockedValue { count -> Bool in
            guard count < limits.maxConnections else { return false }
            count += 1
            return true
        }
        defer { if admitted { activeSessions.withLockedValue { $0 -= 1 } } }
        var logger = self.logger
        logger[metadataKey: "client"] = "\(peer ?? "unknown")"
        do {
            try await connection.executeThenClose { inbound, outbound in
                guard admitted else {
                    let reply = SMTPReply(421, "4.3.2", "\(settings.hostname) Error: too many connections")
                    try await outbound.write(ByteBuffer(bytes: reply.encoded()))
                    logger.warning("refused connection: \(limits.maxConnections) sessions active")
                    return
                }
                var connectionLoop = ConnectionLoop(
                    session: SMTPServerSession(settings: settings, peerAddress: peer,
                                               localPort: connection.channel.localAddress?.port),
                    decoder: SMTPInboundDecoder(maxLineLength: settings.maxLineLength,
                                                maxMessageSize: settings.maxMessageSize),
                    timer: try await connection.channel.pipeline.handler(type: SessionIdleTimer.self).get(),
                    handler: handler, outbound: outbound)
                try await connectionLoop.run(inbound)
            }
        } catch {
            logger.debug("session ended: \(error)")
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
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var pending: [UInt8] = []

    mutating func run(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws {
        timer.onTimeout = session.timeoutReply.encoded()
        try await outbound.write(ByteBuffer(bytes: session.greeting().encoded()))
        for try await buffer in inbound {
            decoder.feed(buffer.readableBytesView)
            while let event = decoder.next() {
                let actions: [SMTPServerSession.Action]
                switch event {
                case .line(let line): actions = session.received(line: line)
                case .lineTooLong: actions = session.receivedOverlongLine()
                case .message(let bytes, let size): actions = session.received(message: bytes, size: size)
                }
                if try await perform(actions) { return }
            }
            try await flush()
        }
    }

    /// Carries out actions; true when the connection must close.
    private mutating func perform(_ actions: [SMTPServerSession.Action]) async throws -> Bool {
        for action in actions {
            switch action {
            case .reply(let reply):
                pending += reply.encoded()
            case .beginData:
                decoder.beginData()
            case .deliver:
                guard let transaction = session.pendingTransaction else { continue }
                try await flush()
                timer.busy = true
                let outcome = await handler.handle(transaction)
                timer.busy = false
                if try await perform(session.deliveryFinished(outcome)) { return true }
            case .close:
                try await flush()
                return true
            }
        }
        return false
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
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        let (busy, reply) = state.withLockedValue { ($0.busy, $0.reply) }
        guard !busy else { return }
        if let reply {
            context.writeAndFlush(NIOAny(ByteBuffer(bytes: reply)), promise: nil)
        }
        context.close(promise: nil)
    }
}
