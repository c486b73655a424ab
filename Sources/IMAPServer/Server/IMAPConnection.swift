import IMAP
import Logging
import NetworkService
import NIOCore
import NIOSSL

/// Drives one IMAP connection: bytes to the parser, its events to the session, the
/// session's output to the client. IDLE runs a watcher task that reports the mailbox's
/// changes as inotify (or the fallback timer) wakes it while the loop waits for DONE; the
/// loop stops it before it does anything else.
struct IMAPConnection {
    let session: IMAPSession
    let channel: any Channel
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let tls: NIOSSLContext?
    var parser: CommandParser
    var logger: Logger
    /// Reads to drop after STARTTLS: plaintext the client pipelined behind the command.
    var readsConsumed = 0
    var dropUntilRead = 0
    var idle: (tag: Tag, watcher: Task<Void, Never>)?

    mutating func run(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws {
        do {
            try await serve(inbound)
        } catch {
            await stopIdleWatcher()
            throw error
        }
        await stopIdleWatcher()
    }

    /// The IDLE watcher must be gone before the session is used again (or ended).
    private mutating func stopIdleWatcher() async {
        guard let running = idle else { return }
        running.watcher.cancel()
        await running.watcher.value
        idle = nil
    }

    private mutating func serve(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws {
        let outbound = self.outbound
        session.writer = { bytes in try await outbound.write(ByteBuffer(bytes: bytes)) }
        session.greeting()
        try await flush()
        for try await buffer in inbound {
            readsConsumed += 1
            if readsConsumed <= dropUntilRead { continue }
            parser.feed(buffer.readableBytesView)
            while let event = parser.next() {
                if try await handle(event) == .close || session.mustClose {
                    try await flush()
                    return
                }
                // Pipelined commands answer as they go once their replies grow large.
                if idle == nil && session.outputSize >= 256 << 10 { try await flush() }
                if session.tooManyBadCommands {
                    session.send(.bye(ResponseText("Too many invalid IMAP commands.")))
                    try await flush()
                    return
                }
            }
            if idle == nil { try await flush() }
        }
    }

    private enum Next { case goOn, close }

    private mutating func handle(_ event: CommandParserEvent) async throws -> Next {
        if let running = idle {
            // Whatever the client sent, IDLE is over: the watcher stops before the session moves on.
            running.watcher.cancel()
            await running.watcher.value
            idle = nil
            if case .idleDone = event {
                await session.idleDone(running.tag)
                return .goOn
            }
            // Anything but DONE ends IDLE with one BAD for its tag (Dovecot's "Expected DONE").
            session.bad(running.tag, "Expected DONE.")
            if case .error = event { return .goOn }
        }
        switch event {
        case .command(let tagged):
            return try await carryOut(session.execute(tagged))
        case .literalRequested(let request):
            let allowed = request.commandName == "APPEND" ? session.appendLiteralAllowed(size: request.size) : true
            if allowed {
                try parser.acceptLiteral()
                session.send(.continuation(.text("Ready for literal data")))
                try await flush()
            } else {
                try parser.refuseLiteral()
                if let tag = request.tag { session.refuseAppendLiteral(tag: tag, size: request.size) }
            }
        case .error(let error):
            if let tag = session.pendingAuthentication {
                // The SASL response line was not base64: its AUTHENTICATE gets the answer.
                session.pendingAuthentication = nil
                session.bad(tag, "Invalid base64 data in continued response.")
                return .goOn
            }
            session.parseError(error)
            if error.closesConnection { return .close }
        case .appendStarted(let tag, let mailbox):
            await session.appendStarted(tag: tag, mailbox: mailbox)
        case .appendMessageStarted(let start):
            session.appendMessageStarted(start)
        case .appendMessageBytes(let bytes):
            session.appendMessageBytes(bytes)
        case .appendMessageFinished:
            session.appendMessageFinished()
        case .appendFinished:
            await session.appendFinished()
        case .idleDone:
            break  // DONE outside IDLE: the parser only gives it after expectIdleDone
        case .authenticationResponse(let response):
            return try await carryOut(session.authenticationResponse(response))
        }
        return .goOn
    }

    private mutating func carryOut(_ next: IMAPSession.Next) async throws -> Next {
        switch next {
        case .goOn:
            return .goOn
        case .close:
            return .close
        case .authenticationResponse:
            parser.expectAuthenticationResponse()
            try await flush()
            return .goOn
        case .startTLS:
            guard let tls else { return .close }
            let reply = session.takeOutput()
            dropUntilRead = try await StartTLSSwitch.perform(on: channel, reply: reply, sslContext: tls,
                                                             observer: TLSHandshakeObserver())
            parser.discardBufferedInput()
            session.tlsStarted()
            return .goOn
        case .idle(let tag):
            parser.expectIdleDone()
            // Watch before `+ idling` goes out: a change the client makes on seeing it (or
            // one since the last command's look) is caught by the first look below.
            let wakeups = session.idleWakeups()
            try await flush()
            let (session, outbound, channel) = (self.session, self.outbound, self.channel)
            let watcher = Task {
                // Every way out of IDLE cancels this task and awaits it: the watch is given back here.
                defer { wakeups.close() }
                for await _ in wakeups.stream {
                    await session.idleCheck()
                    let output = session.takeOutput()
                    if !output.isEmpty { try? await outbound.write(ByteBuffer(bytes: output)) }
                    if session.mustClose {
                        try? await channel.close()
                        return
                    }
                    try? await Task.sleep(for: IdleWakeups.settleTime)
                }
            }
            idle = (tag, watcher)
            return .goOn
        }
    }

    private func flush() async throws {
        let output = session.takeOutput()
        guard !output.isEmpty else { return }
        try await outbound.write(ByteBuffer(bytes: output))
    }
}
