// SMTPClientChannelHandler - the only NIO handler of a client connection.
//
// Inbound: bytes → SMTPReplyParser → a queue of replies. Outbound: `SMTPClientRequest`s
// from the async driver (SMTPClient), passed down the pipeline as writes so that all
// state stays on the event loop: "write these bytes" and "give me the next reply", each
// with its own timeout. Any failure (timeout, malformed reply, close, I/O error) is
// remembered as the connection's one terminal error, fails whatever waits, and closes
// the channel. Replies received before a close are still handed out (a 421 followed by
// the server hanging up is an answer, not a lost connection).
//
// STARTTLS: on request the handler puts a NIOSSLClientHandler in front of itself and
// reports the handshake's end; any failure while it runs is a `.tlsFailed`.

import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// What the driver asks of the handler.
enum SMTPClientRequest: Sendable {
    /// Write and flush the bytes; the write's promise fails with `.timeout(stage)` if it
    /// has not completed within `timeout` (the peer stopped reading).
    case write(ByteBuffer, timeout: TimeAmount, stage: SMTPClientStage)
    /// Complete `reply` with the next reply, or fail it after `timeout`.
    case readReply(timeout: TimeAmount, stage: SMTPClientStage, reply: EventLoopPromise<SMTPReply>)
    /// Start TLS on the connection (after the server's 220 to STARTTLS); complete `done`
    /// when the handshake is over, or fail it after `timeout`.
    case startTLS(NIOSSLContext, serverName: String?, timeout: TimeAmount, done: EventLoopPromise<Void>)
}

final class SMTPClientChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = SMTPClientRequest
    typealias OutboundOut = ByteBuffer

    private var parser: SMTPReplyParser
    private var replies = CircularBuffer<SMTPReply>()
    private var waiter: (promise: EventLoopPromise<SMTPReply>, stage: SMTPClientStage, timer: Scheduled<Void>)?
    private var failure: SMTPClientError?
    private var handshake: (promise: EventLoopPromise<Void>, timer: Scheduled<Void>)?
    private var lastStage: SMTPClientStage = .greeting
    private let logger: Logger

    init(maxLineLength: Int, maxLines: Int, logger: Logger) {
        self.parser = SMTPReplyParser(maxLineLength: maxLineLength, maxLines: maxLines)
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard failure == nil else { return }
        buffer.withUnsafeReadableBytes { parser.append($0) }
        do {
            while let reply = try parser.next() {
                logger.trace("smtp client <", metadata: ["reply": "\(reply)"])
                replies.append(reply)
            }
        } catch {
            fail(context: context, with: .protocolViolation(error.description))
            return
        }
        handOutReply()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context: nil, with: handshake != nil
             ? .tlsFailed("connection closed during the handshake") : .unexpectedClose(waiter?.stage ?? lastStage))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("smtp client connection error", metadata: ["error": "\(error)", "stage": "\(lastStage)"])
        // Whatever breaks the connection during the handshake is the handshake's failure
        // (NIOSSL reports it here, then closes).
        fail(context: context, with: handshake != nil
             ? .tlsFailed("\(error)") : .unexpectedClose(waiter?.stage ?? lastStage))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, let handshake {
            self.handshake = nil
            handshake.timer.cancel()
            handshake.promise.succeed(())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(context: nil, with: .unexpectedClose(waiter?.stage ?? lastStage))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .write(let buffer, let timeout, let stage):
            lastStage = stage
            if let failure {
                promise?.fail(failure)
                return
            }
            let timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                self.fail(context: context, with: .timeout(stage))
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: written)
            written.futureResult.assumeIsolated().whenComplete { result in
                timer.cancel()
                switch result {
                case .success: promise?.succeed(())
                case .failure: promise?.fail(self.failure ?? .unexpectedClose(stage))
                }
            }

        case .readReply(let timeout, let stage, let reply):
            lastStage = stage
            promise?.succeed(())
            if !replies.isEmpty {
                reply.succeed(replies.removeFirst())
            } else if let failure {
                reply.fail(failure)
            } else if waiter != nil {
                reply.fail(SMTPClientError.protocolViolation("internal: two concurrent reply reads"))
            } else {
                let timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                    self.fail(context: context, with: .timeout(stage))
                }
                waiter = (reply, stage, timer)
            }

        case .startTLS(let sslContext, let serverName, let timeout, let done):
            lastStage = .tlsHandshake
            promise?.succeed(())
            if let failure { return done.fail(failure) }
            // Bytes that came with or after the 220 were sent before TLS: treating them as
            // protected replies is the STARTTLS injection flaw (CVE-2011-0411).
            guard replies.isEmpty, parser.isIdle else {
                fail(context: context, with: .protocolViolation("reply data after the 220 to STARTTLS, before TLS"))
                return done.fail(failure ?? .unexpectedClose(.tlsHandshake))
            }
            do {
                let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                try context.pipeline.syncOperations.addHandler(tls, position: .first)
            } catch {
                fail(context: context, with: .tlsFailed("\(error)"))
                return done.fail(failure ?? .tlsFailed("\(error)"))
            }
            let timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                self.fail(context: context, with: .tlsFailed("handshake timed out"))
            }
            handshake = (done, timer)
        }
    }

    private func handOutReply() {
        guard let waiter, !replies.isEmpty else { return }
        self.waiter = nil
        waiter.timer.cancel()
        waiter.promise.succeed(replies.removeFirst())
    }

    /// Records the first terminal error, fails a waiting read, closes the channel.
    private func fail(context: ChannelHandlerContext?, with error: SMTPClientError) {
        if failure == nil { failure = error }
        if let handshake {
            self.handshake = nil
            handshake.timer.cancel()
            handshake.promise.fail(failure ?? error)
        }
        if let waiter {
            self.waiter = nil
            waiter.timer.cancel()
            waiter.promise.fail(failure ?? error)
        }
        context?.close(promise: nil)
    }
}
