import NetworkService
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
        /// Who may connect, how many at once and how often (see `ConnectionAdmission`).
        public var admission: ConnectionAdmission.Rules
        /// How long a session may keep us waiting (see `SessionTimeouts`).
        public var timeouts: SessionTimeouts
        /// Delay of each error reply past the soft error limit (`smtpd_error_sleep_time`).
        public var errorSleep: TimeAmount
        /// Message bytes in memory, shared with the process's other listeners.
        public var messageMemory: MessageMemoryBudget

        public init(admission: ConnectionAdmission.Rules, timeouts: SessionTimeouts, errorSleep: TimeAmount = .seconds(1),
                    messageMemory: MessageMemoryBudget = MessageMemoryBudget(limit: 0)) {
            self.admission = admission
            self.timeouts = timeouts
            self.errorSleep = errorSleep
            self.messageMemory = messageMemory
        }
    }

    /// What sessions run on: settings, limits, handler, policy and STARTTLS context. A
    /// reload replaces it with `reconfigure`; each session keeps the one it began with, so
    /// a message in progress finishes on the state that accepted its connection.
    public struct Service: Sendable {
        public var settings: SMTPServerSettings
        public var limits: Limits
        public var handler: any SMTPMessageHandler
        /// Asked at connect, MAIL, RCPT and DATA (with `settings.checksPolicy`); nil for the filter.
        public var policy: (any SMTPServerPolicy)?
        /// The STARTTLS context; STARTTLS is offered exactly when there is one.
        public var tls: NIOSSLContext? {
            didSet { settings.offersSTARTTLS = tls != nil }
        }

        public init(settings: SMTPServerSettings, limits: Limits, handler: any SMTPMessageHandler,
                    policy: (any SMTPServerPolicy)? = nil, tls: NIOSSLContext? = nil) {
            self.settings = settings
            self.settings.offersSTARTTLS = tls != nil
            self.limits = limits
            self.handler = handler
            self.policy = policy
            self.tls = tls
        }
    }

    private let socket: ListeningSocket
    private let service: NIOLockedValueBox<Service>
    private let logger: Logger
    private let admission: NIOLockedValueBox<ConnectionAdmission>
    /// The timers of running sessions, re-armed when the listener enters or leaves stress.
    private let timers = NIOLockedValueBox<[ObjectIdentifier: SessionTimer]>([:])

    /// The bound address (useful with port 0).
    public let localAddress: SocketAddress

    /// Binds the listener; `run()` then serves it.
    /// - Parameters:
    ///   - policy: asked at connect, MAIL, RCPT and DATA (with `settings.checksPolicy`); nil for the filter.
    ///   - tls: the STARTTLS context; STARTTLS is offered exactly when there is one.
    public static func bind(host: String, port: Int, settings: SMTPServerSettings, limits: Limits,
                            handler: any SMTPMessageHandler, policy: (any SMTPServerPolicy)? = nil,
                            tls: NIOSSLContext? = nil, group: any EventLoopGroup,
                            logger: Logger) async throws -> SMTPServer {
        try await bind(host: host, port: port,
                       service: Service(settings: settings, limits: limits, handler: handler, policy: policy, tls: tls),
                       group: group, logger: logger)
    }

    /// Binds the listener for `service`; `run()` then serves it.
    public static func bind(host: String, port: Int, service: Service, group: any EventLoopGroup,
                            logger: Logger) async throws -> SMTPServer {
        let box = NIOLockedValueBox(service)
        let socket = try await ListeningSocket.bind(host: host, port: port, group: group) { child in
            let idle = box.withLockedValue { $0.limits.timeouts.idle }
            try child.pipeline.syncOperations.addHandler(IdleStateHandler(writeTimeout: idle))
            try child.pipeline.syncOperations.addHandler(WriteStallCloser())
            try child.pipeline.syncOperations.addHandler(StartTLSSwitch())
        }
        return SMTPServer(socket: socket, service: box, logger: logger)
    }

    private init(socket: ListeningSocket, service: NIOLockedValueBox<Service>, logger: Logger) {
        self.socket = socket
        self.service = service
        self.logger = logger
        self.admission = NIOLockedValueBox(ConnectionAdmission(service.withLockedValue { $0.limits.admission }))
        self.localAddress = socket.localAddress
    }

    /// Serves new connections on `service` from now on; sessions already running keep
    /// theirs. Admission counts carry over under the new rules.
    public func reconfigure(_ service: Service) {
        self.service.withLockedValue { $0 = service }
        changeAdmission { admission in ((), admission.replaceRules(service.limits.admission)) }
    }

    /// Accepts and serves connections until the listener is closed.
    public func run() async throws {
        try await socket.run { await self.serve($0) }
    }

    /// Stops accepting; running sessions finish on their own.
    public func close() async {
        await socket.close()
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let service = self.service.withLockedValue { $0 }
        let (settings, limits, policy) = (service.settings, service.limits, service.policy)
        let peer = connection.channel.remoteAddress?.ipAddress
        let refusal = changeAdmission { $0.admit(peer, now: .now()) }
        defer {
            if refusal == nil { changeAdmission { ((), $0.release(peer)) } }
        }
        var logger = self.logger
        logger[metadataKey: "client"] = "\(peer ?? "unknown")"
        let timer = SessionTimer(
            timeouts: limits.timeouts, eventLoop: connection.channel.eventLoop,
            stressed: { [admission] in admission.withLockedValue { $0.isStressed } },
            expired: { [logger] reason in logger.notice("timeout: \(reason)") })
        let timerID = ObjectIdentifier(timer)
        do {
            try await connection.executeThenClose { inbound, outbound in
                if let refusal {
                    try await outbound.write(ByteBuffer(bytes: refusal.reply(hostname: settings.hostname, peer: peer).encoded()))
                    logger.warning("refused connection: \(refusal)")
                    return
                }
                try await connection.channel.pipeline.addHandler(timer, position: .first).get()
                timers.withLockedValue { $0[timerID] = timer }
                defer { timers.withLockedValue { $0[timerID] = nil } }
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
                                                maxMessageSize: settings.maxMessageSize),
                    timer: timer, handler: service.handler, policy: connectionPolicy, tls: service.tls,
                    channel: connection.channel,
                    errorSleep: limits.errorSleep, outbound: outbound,
                    memory: MessageMemoryReservation(budget: limits.messageMemory))
                try await connectionLoop.run(inbound)
            }
        } catch {
            logger.debug("session ended: \(error)")
        }
    }

    /// Changes the admission state; when that moves the listener into or out of stress, the
    /// log says so once (as Postfix logs its stress mode; under the lock, so entries and exits
    /// are logged in order) and every waiting session gets its deadline again.
    @discardableResult
    private func changeAdmission<T>(_ change: (inout ConnectionAdmission) -> (T, stressChanged: Bool)) -> T {
        let (result, changed) = admission.withLockedValue { admission in
            let (result, changed) = change(&admission)
            if changed { logStress(admission) }
            return (result, changed)
        }
        if changed {
            for timer in timers.withLockedValue({ Array($0.values) }) { timer.rearm() }
        }
        return result
    }

    private func logStress(_ admission: ConnectionAdmission) {
        let max = admission.rules.maxConnections
        if admission.isStressed {
            let stressIdle = service.withLockedValue { $0.limits.timeouts.stressIdle }
            let seconds = stressIdle.nanoseconds / 1_000_000_000
            logger.warning("stress: \(admission.active) of \(max) sessions in use; idle timeout now \(seconds)s per request")
        } else {
            logger.notice("stress over: \(admission.active) of \(max) sessions in use")
        }
    }
}

/// Drives one session: decoder events in, session actions carried out. Replies produced
/// by one read are written together, which is what PIPELINING clients expect.
private struct ConnectionLoop {
    var session: SMTPServerSession
    var decoder: SMTPInboundDecoder
    let timer: SessionTimer
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
    /// A `.beginData` was carried out while working through the current read.
    var dataBegan = false

    mutating func run(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws {
        timer.start(reply: session.timeoutReply.encoded())
        defer { memory.endTransaction() }
        try await outbound.write(ByteBuffer(bytes: session.greeting().encoded()))
        for try await buffer in inbound {
            let arrived = NIODeadline.now()
            readsConsumed += 1
            if readsConsumed <= dropUntilRead { continue } // plaintext sent after STARTTLS
            if let observer {
                // The first decrypted bytes: the handshake is done.
                session.tlsStarted(observer.info ?? TLSInfo(version: "TLS", cipher: "unknown", bits: nil))
                self.observer = nil
            }
            // The timeouts are for waiting on the client: working through what it sent
            // (a pipelined flood of RCPTs, a slow filter) does not count.
            timer.beginWork()
            decoder.feed(buffer.readableBytesView)
            var completedRequest = false
            dataBegan = false
            while let event = decoder.next() {
                completedRequest = true
                let actions: [SMTPServerSession.Action]
                switch event {
                case .line(let line):
                    actions = session.received(line: line, moreInputBuffered: decoder.bufferedByteCount > 0)
                case .lineTooLong: actions = session.receivedOverlongLine()
                case .message(let bytes, let size):
                    let refusal = memory.cover(bytes?.count ?? 0) ? nil : MessageMemoryBudget.refusal
                    actions = session.received(message: bytes, size: size, refusal: refusal)
                }
                // After a switch to TLS the decoder is empty: the loop ends by itself.
                if try await perform(actions) == .close { return }
                if case .message = event { memory.endTransaction() }
            }
            if !memory.cover(decoder.heldMessageBytes) { decoder.stopKeepingMessage() }
            try await flush()
            let (inData, dataBytes, dataBegan) = (decoder.isReceivingMessage, decoder.messageBytesSoFar, dataBegan)
            timer.endWork { timing in
                let now = NIODeadline.now()
                timing.lastRead = arrived
                if completedRequest { timing.awaitingSince = now }
                if !inData {
                    timing.dataStarted = nil
                } else if dataBegan || timing.dataStarted == nil {
                    timing.dataStarted = now
                }
                timing.dataBytes = dataBytes
            }
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
                dataBegan = true
            case .deliver:
                guard var transaction = session.pendingTransaction else { continue }
                transaction.traceID = trace?.id
                try await flush()
                let outcome = await handler.handle(transaction)
                let next = try await perform(session.deliveryFinished(outcome))
                if next != .goOn { return next }
            case .checkMail, .checkRecipient, .checkData:
                guard let request = session.pendingPolicyRequest else { continue }
                let answer: [SMTPServerSession.Action]
                switch action {
                case .checkMail: answer = session.mailChecked(await policy?.checkMail(request))
                case .checkData: answer = session.dataChecked(await policy?.checkData(request))
                default: answer = session.recipientChecked(await policy?.checkRecipient(request))
                }
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
