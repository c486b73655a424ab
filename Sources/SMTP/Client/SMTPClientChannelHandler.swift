// SMTPClientChannelHandler - the only NIO handler of a client connection.
//
// Inbound: bytes → SMTPReplyParser → a queue of replies. Outbound: `SMTPClientRequest`s
// from the async driver (SMTPClient), passed down the pipeline as writes so that all
// state stays on the event loop: "write these bytes" and "give me the next reply", each
// with its own timeout. Any failure (timeout, malformed reply, close, I/O error) is
// remembered as the connection's one terminal error, fails whatever waits, and closes
// the channel. Replies received before a close are still handed out (a 421 followed by
// the server hanging up is an answer, not a lost connection).

import Logging
import NIOCore

/// What the driver asks of the handler.
enum SMTPClientRequest: Sendable {
    /// Write and flush the bytes; the write's promise fails with `.timeout(stage)` if it
    /// has not completed within `timeout` (the peer stopped reading).
    case write(ByteBuffer, timeout: TimeAmount, stage: SMTPClientStage)
    /// Complete `reply` with the next reply, or fail it after `timeout`.
    case readReply(timeout: TimeAmount, stage: SMTPClientStage, reply: EventLoopPromise<SMTPReply>)
}

final class SMTPClientChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = SMTPClientRequest
    typealias OutboundOut = ByteBuffer

    private var parser: SMTPReplyParser
    private var replies = CircularBuffer<SMTPReply>()
    private var waiter: (promise: EventLoopPromise<SMTPReply>, stage: SMTPClientStage, timer: Scheduled<Void>)?
    private var failure: SMTPClientError?
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
        fail(context: nil, with: .unexpectedClose(waiter?.stage ?? lastStage))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("smtp client connection error", metadata: ["error": "\(error)", "stage": "\(lastStage)"])
        fail(context: context, with: .unexpectedClose(waiter?.stage ?? lastStage))
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
        if let waiter {
            self.waiter = nil
            waiter.timer.cancel()
            waiter.promise.fail(failure ?? error)
        }
        context?.close(promise: nil)
    }
}
