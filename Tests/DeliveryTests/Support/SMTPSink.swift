import Foundation
import MoatCore
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// A scripted SMTP server on a loopback address and a port picked by the kernel (or a
/// given one, to share a port number between 127.0.0.1 and ::1), written for these tests
/// with NIO so that it can do STARTTLS. It records every session: the command lines, the
/// messages, whether TLS was on. Replies come from `Script`.
final class SMTPSink: @unchecked Sendable {
    // @unchecked: `channel` is set once in init; sessions sit behind `log`'s lock.

    /// How the sink answers.
    struct Script: Sendable {
        /// The greeting; nil: accept the connection and never say anything (a stuck server).
        var greeting: String? = "220 sink.moattest ESMTP"
        var offerSTARTTLS = false
        /// Server TLS context; with `offerSTARTTLS`, STARTTLS upgrades with it.
        var tls: NIOSSLContext?
        /// Answer STARTTLS with 220, then the ClientHello with plaintext garbage, and hang
        /// up: a broken TLS server.
        var breakTLS = false
        /// Reply to `RCPT TO:<address>` (lowercased address in, full reply line out).
        var rcpt: @Sendable (String) -> String = { _ in "250 2.1.5 Ok" }
        var mail = "250 2.1.0 Ok"
        var endOfData = "250 2.0.0 Ok: queued as SINK"
    }

    /// One connection as the sink saw it.
    struct Session: Sendable {
        var commands: [String] = []
        var messages: [[UInt8]] = []
        /// The STARTTLS handshake completed.
        var tls = false
        var closed = false

        var recipients: [String] {
            commands.filter { $0.uppercased().hasPrefix("RCPT TO:") }.map { String($0.dropFirst(8)) }
        }
    }

    let host: String
    let port: Int
    private let channel: any Channel
    private let log = Locked([Session]())

    /// Starts listening on `host` (`127.0.0.1` or `::1`) and `port` (0: any free one).
    init(host: String = "127.0.0.1", port: Int = 0, script: Script = Script()) async throws {
        let log = self.log
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let index = log.withLock { sessions in
                        sessions.append(Session())
                        return sessions.count - 1
                    }
                    try channel.pipeline.syncOperations.addHandler(SinkHandler(script: script, log: log, index: index))
                }
            }
        channel = try await bootstrap.bind(host: host, port: port).get()
        self.host = host
        self.port = channel.localAddress?.port ?? 0
    }

    /// A sink on 127.0.0.1 and one on ::1 with the same port number (MX hosts of either
    /// family share `smtp_port`). Retried on a fresh port when ::1 has that one taken.
    static func pair(v4 v4Script: Script = Script(), v6 v6Script: Script = Script()) async throws -> (v4: SMTPSink, v6: SMTPSink) {
        var lastError: (any Error)?
        for _ in 0..<5 {
            let v4 = try await SMTPSink(script: v4Script)
            do {
                return (v4, try await SMTPSink(host: "::1", port: v4.port, script: v6Script))
            } catch {
                lastError = error
                await v4.stop()
            }
        }
        throw lastError ?? ChannelError.alreadyClosed
    }

    deinit { channel.close(promise: nil) }

    func stop() async { try? await channel.close() }

    var sessions: [Session] { log.withLock { $0 } }

    /// Sessions once every one has been closed by either side (bounded wait).
    func finishedSessions(timeout: Duration = .seconds(10)) async -> [Session] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let all = sessions
            if all.allSatisfy(\.closed) { return all }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return sessions
    }
}

/// One sink connection: line-based commands, a DATA phase ending at CRLF.CRLF, STARTTLS.
private final class SinkHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let script: SMTPSink.Script
    private let log: Locked<[SMTPSink.Session]>
    private let index: Int
    private var pending: [UInt8] = []
    private var inData = false
    private var tlsActive = false
    private var breakingTLS = false

    init(script: SMTPSink.Script, log: Locked<[SMTPSink.Session]>, index: Int) {
        self.script = script
        self.log = log
        self.index = index
    }

    func channelActive(context: ChannelHandlerContext) {
        if let greeting = script.greeting { send(context, greeting) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        update { $0.closed = true }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { update { $0.tls = true } }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if breakingTLS {
            send(context, "this is not a TLS handshake")
            context.close(promise: nil)
            return
        }
        pending += unwrapInboundIn(data).readableBytesView
        while true {
            if inData {
                guard let end = Self.endOfData(in: pending) else { return }
                let message = Array(pending[..<end.start])
                pending.removeFirst(end.end)
                inData = false
                update { $0.messages.append(message) }
                send(context, script.endOfData)
                continue
            }
            guard let lf = pending.firstIndex(of: 10) else { return }
            var line = Array(pending[..<lf])
            if line.last == 13 { line.removeLast() }
            pending.removeFirst(lf + 1)
            let command = String(decoding: line, as: UTF8.self)
            update { $0.commands.append(command) }
            if !answer(command, context: context) { return }
        }
    }

    /// Replies to one command; false once the connection is being closed or upgraded.
    private func answer(_ command: String, context: ChannelHandlerContext) -> Bool {
        let verb = command.split(separator: " ", maxSplits: 1).first.map { $0.uppercased() } ?? ""
        switch verb {
        case "EHLO":
            var lines = ["250-sink.moattest", "250-PIPELINING", "250-SIZE 10240000", "250-8BITMIME"]
            if script.offerSTARTTLS && !tlsActive { lines.append("250-STARTTLS") }
            lines.append("250 ENHANCEDSTATUSCODES")
            send(context, lines.joined(separator: "\r\n"))
        case "HELO":
            send(context, "250 sink.moattest")
        case "STARTTLS":
            guard script.offerSTARTTLS, !tlsActive else {
                send(context, "503 5.5.1 STARTTLS not available")
                return true
            }
            send(context, "220 2.0.0 Ready to start TLS")
            if script.breakTLS {
                // Answer the ClientHello with plaintext garbage, then hang up.
                breakingTLS = true
                return false
            }
            guard let tls = script.tls else { return true }
            // The 220 is already on its way to the socket; everything after is TLS.
            try? context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            tlsActive = true
        case "MAIL":
            send(context, script.mail)
        case "RCPT":
            let address = command.dropFirst(8).trimmingCharacters(in: CharacterSet(charactersIn: "<> ")).lowercased()
            send(context, script.rcpt(address))
        case "DATA":
            inData = true
            send(context, "354 End data with <CR><LF>.<CR><LF>")
        case "RSET", "NOOP":
            send(context, "250 2.0.0 Ok")
        case "QUIT":
            send(context, "221 2.0.0 Bye")
            context.close(promise: nil)
            return false
        default:
            send(context, "502 5.5.2 Error: command not recognized")
        }
        return true
    }

    private func send(_ context: ChannelHandlerContext, _ text: String) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text + "\r\n")), promise: nil)
    }

    private func update(_ body: (inout SMTPSink.Session) -> Void) {
        log.withLock { body(&$0[index]) }
    }

    /// The message before CRLF.CRLF (dot-unstuffing is left to the assertions: test
    /// bodies have no leading dots), and where the terminator ends.
    private static func endOfData(in bytes: [UInt8]) -> (start: Int, end: Int)? {
        if bytes.starts(with: [46, 13, 10]) { return (0, 3) }
        let terminator: [UInt8] = [13, 10, 46, 13, 10]
        guard bytes.count >= terminator.count else { return nil }
        for i in 0...(bytes.count - terminator.count) where bytes[i] == 13 {
            if bytes[i..<(i + 5)].elementsEqual(terminator) { return (i + 2, i + 5) }
        }
        return nil
    }
}
