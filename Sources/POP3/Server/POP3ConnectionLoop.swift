import Directory
import Logging
import MailAccess
import NetworkService
import NIOCore
import NIOSSL

/// Drives one POP3 session: lines in, the session's actions carried out. Replies produced
/// by one read are written together (PIPELINING, RFC 2449 §6.6).
struct POP3ConnectionLoop {
    let service: POP3Server.Service
    let channel: any Channel
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let peer: String?
    let local: String?
    var logger: Logger
    var session: POP3Session
    var framer = LineFramer()
    var pending: [UInt8] = []
    var maildrop: (any POP3Maildrop)?
    var tlsActive: Bool
    var failedLogins = 0
    var lastUser: String?
    /// Inbound reads consumed so far, and how many to drop after STLS (plaintext injected
    /// behind the command is not the client's).
    var readsConsumed = 0
    var dropUntilRead = 0

    init(service: POP3Server.Service, channel: any Channel, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
         peer: String?, local: String?, logger: Logger) {
        self.service = service
        self.channel = channel
        self.outbound = outbound
        self.peer = peer
        self.local = local
        self.logger = logger
        tlsActive = service.implicitTLS && service.tls != nil
        var settings = service.session
        settings.offersSTLS = service.tls != nil && !tlsActive
        session = POP3Session(settings: settings, plaintextAllowed: service.plaintext.allows(peer: peer, tlsActive: tlsActive),
                              tlsActive: tlsActive)
    }

    private var logLine: LoginLogLine {
        LoginLogLine(service: "pop3", user: lastUser, method: "PLAIN", remoteAddress: peer, localAddress: local, tls: tlsActive)
    }

    /// The connection is over: the user's session slot is given back (before the next login
    /// from the same place could be refused for it), or the failed logins are logged.
    func ended() async {
        if let user = session.user {
            await service.login.endSession(user: user, service: .pop3, peer: peer)
        } else if failedLogins > 0 {
            logger.notice("\(logLine.authFailed(attempts: failedLogins))")
        }
    }

    mutating func run(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws {
        if case .send(let greeting) = session.greeting() { try await outbound.write(ByteBuffer(bytes: greeting)) }
        for try await buffer in inbound {
            readsConsumed += 1
            if readsConsumed <= dropUntilRead { continue }
            framer.feed(buffer.readableBytesView)
            while !session.isClosed,
                  let event = framer.next(limit: session.expectsSASLResponse ? POP3Session.maxSASLLine : POP3Command.maxLineLength - 2) {
                let actions: [POP3Session.Action]
                switch event {
                case .line(let line): actions = session.received(line: line)
                case .lineTooLong: actions = session.lineTooLong()
                }
                if try await perform(actions) == .close {
                    try await flush()
                    return
                }
            }
            try await flush()
            if session.isClosed { return }
        }
    }

    private enum Next { case goOn, close }

    private mutating func perform(_ actions: [POP3Session.Action]) async throws -> Next {
        for action in actions {
            switch action {
            case .send(let bytes):
                pending += bytes
            case .close:
                return .close
            case .startTLS(let reply):
                guard let tls = service.tls else { return .close }
                let observer = TLSHandshakeObserver()
                try await flush()
                dropUntilRead = try await StartTLSSwitch.perform(on: channel, reply: reply, sslContext: tls, observer: observer)
                framer.discardBuffered()
                tlsActive = true
                session.tlsStarted(plaintextAllowed: service.plaintext.allows(peer: peer, tlsActive: true))
            case .login(let user, let password, _):
                try await flush()  // the client sees nothing more until the answer
                lastUser = user
                let next = try await perform(await login(user: user, password: password))
                if next == .close { return .close }
            case .retrieve(let index, let bodyLines):
                // Each message goes out as soon as it is read: pipelined RETRs never pile up.
                pending += await retrieve(index: index, bodyLines: bodyLines)
                try await flush()
            case .commit(let deleting, let retrieved):
                guard let maildrop else { return .close }
                do {
                    try await service.pool.run { try maildrop.commit(deleting: deleting, retrieved: retrieved) }
                    pending += POP3Response.ok("Logging out.")
                    logger.info("pop3(\(session.user ?? "?")): Disconnected: Logged out retr=\(retrieved.count) del=\(deleting.count)")
                } catch {
                    logger.error("pop3(\(session.user ?? "?")): update failed, nothing deleted: \(error)")
                    pending += POP3Response.error("Failed to delete messages.", code: .sysTemp)
                }
                return .close
            }
        }
        return .goOn
    }

    private mutating func login(user: String, password: [UInt8]) async -> [POP3Session.Action] {
        switch await service.login.login(user: user, password: password, service: .pop3, peer: peer) {
        case .failed:
            failedLogins += 1
            return session.loginFailed(.credentials)
        case .tooManySessions:
            logger.notice("pop3-login: Maximum number of connections from user+IP exceeded: user=<\(user)>, rip=\(peer ?? "unknown")")
            return session.loginFailed(.inUse)
        case .unavailable(let why):
            logger.error("pop3-login: directory unavailable: \(why)")
            return session.loginFailed(.temporary)
        case .success(let mailbox):
            let open = service.openMaildrop
            do {
                let drop = try await service.pool.run { try open(mailbox) }
                maildrop = drop
                lastUser = mailbox.address
                logger.info("\(logLine.login)")
                return session.loginSucceeded(user: mailbox.address, messages: drop.messages)
            } catch {
                await service.login.endSession(user: mailbox.address, service: .pop3, peer: peer)
                logger.error("pop3(\(mailbox.address)): cannot open the mailbox: \(error)")
                return session.loginFailed(.temporary)
            }
        }
    }

    private func retrieve(index: Int, bodyLines: Int?) async -> [UInt8] {
        guard let maildrop else { return POP3Response.error("No mailbox.", code: .sysTemp) }
        do {
            let content = try await service.pool.run { try maildrop.content(at: index) }
            let size = maildrop.messages[index].size
            return POP3Response.message(content, status: bodyLines == nil ? "\(size) octets" : "", bodyLines: bodyLines)
        } catch {
            logger.error("pop3(\(session.user ?? "?")): cannot read message \(index + 1): \(error)")
            return POP3Response.error("Message can't be read: it may have been deleted by another session.", code: .sysTemp)
        }
    }

    private mutating func flush() async throws {
        guard !pending.isEmpty else { return }
        try await outbound.write(ByteBuffer(bytes: pending))
        pending.removeAll(keepingCapacity: true)
    }
}
