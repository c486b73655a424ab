// SMTPClient - deliver one message over SMTP or LMTP: connect, run an
// SMTPClientTransaction to its end, close. Used for re-injection into Postfix
// (127.0.0.1:10025), LMTP delivery, remote delivery (with STARTTLS) and quarantine release.
//
// This file is the only place that carries out the transaction's actions; the handler
// (SMTPClientChannelHandler) owns timeouts and reply framing. The body is dot-stuffed
// while it is written, in chunks of `writeChunkSize` input bytes with one write in
// flight while the next is encoded, so a 50 MB message costs ~50 writes, not a write
// per line, and never a second full copy in memory.

import Logging
import MoatCore
import NIOCore
import NIOPosix

public enum SMTPClient {
    /// Delivers `message` to `endpoint` (its `lmtp` flag overrides `options.lmtp`).
    public static func deliver(
        to endpoint: SMTPEndpoint, envelope: Envelope, message: [UInt8],
        options: SMTPClientOptions = SMTPClientOptions(),
        logger: Logger = Logger(label: "moat.smtp.client")
    ) async throws(SMTPClientError) -> SMTPDeliveryResult {
        var options = options
        options.lmtp = endpoint.lmtp
        return try await deliver(to: endpoint.host, port: endpoint.port, envelope: envelope, message: message,
                                 options: options, logger: logger)
    }

    /// Delivers `message` (final bytes, header and body; LF or CRLF line ends; the client
    /// dot-stuffs) to `host:port` for the envelope's sender and recipients.
    ///
    /// Returns the server's verdict per recipient. Throws when nothing definite is known
    /// (connect failure, timeout, lost connection, protocol violation): callers treat that
    /// as a temporary failure for every recipient.
    public static func deliver(
        to host: String, port: Int, envelope: Envelope, message: [UInt8],
        options: SMTPClientOptions = SMTPClientOptions(),
        logger: Logger = Logger(label: "moat.smtp.client")
    ) async throws(SMTPClientError) -> SMTPDeliveryResult {
        if envelope.recipients.isEmpty { return SMTPDeliveryResult(perRecipient: []) }
        var logger = logger
        logger[metadataKey: "smtp.peer"] = "\(host):\(port)"
        let channel = try await connect(host: host, port: port, options: options, logger: logger)
        let connection = SMTPClientConnection(channel: channel)
        let configuration = SMTPClientTransaction.Configuration(
            heloName: options.heloName, lmtp: options.lmtp, envelope: envelope, messageSize: message.count,
            eightBitMIME: options.eightBitMIME, usePipelining: options.usePipelining,
            useXForward: options.useXForward, startTLS: options.tls != nil)
        // Cancelling the caller's task closes the connection; the pending step then
        // fails with `.unexpectedClose`.
        let outcome = await withTaskCancellationHandler {
            do throws(SMTPClientError) {
                return Result<SMTPDeliveryResult, SMTPClientError>.success(try await run(
                    SMTPClientTransaction(configuration: configuration), connection: connection,
                    message: message, options: options, logger: logger))
            } catch {
                return .failure(error)
            }
        } onCancel: {
            channel.close(promise: nil)
        }
        await connection.close()
        return try outcome.get()
    }

    private static func connect(host: String, port: Int, options: SMTPClientOptions,
                                logger: Logger) async throws(SMTPClientError) -> any Channel {
        let maxLineLength = options.maxReplyLineLength
        let maxLines = options.maxReplyLines
        let bootstrap = ClientBootstrap(group: options.eventLoopGroup)
            .connectTimeout(TimeAmount(options.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        SMTPClientChannelHandler(maxLineLength: maxLineLength, maxLines: maxLines, logger: logger))
                }
            }
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            logger.debug("smtp client connected")
            return channel
        } catch {
            throw .connectFailed(host: host, port: port, underlying: error)
        }
    }

    /// Carries out the transaction's actions until it has a result.
    private static func run(_ transaction: SMTPClientTransaction, connection: SMTPClientConnection,
                            message: [UInt8], options: SMTPClientOptions,
                            logger: Logger) async throws(SMTPClientError) -> SMTPDeliveryResult {
        var transaction = transaction
        var action = SMTPClientTransaction.Action.wait
        while true {
            do throws(SMTPClientError) {
                switch action {
                case .wait:
                    break
                case .send(let lines):
                    for line in lines { logger.trace("smtp client >", metadata: ["command": "\(line)"]) }
                    try await connection.send(lines, timeout: options.commandTimeout, stage: transaction.expectedStage)
                case .sendMessage:
                    try await connection.sendMessage(message, chunkSize: options.writeChunkSize,
                                                     timeout: options.dataTransferTimeout)
                case .quit:
                    // The outcome is final; QUIT is a courtesy and its failure changes nothing.
                    logger.trace("smtp client >", metadata: ["command": "QUIT"])
                    if (try? await connection.send(["QUIT"], timeout: options.quitTimeout, stage: .quit)) != nil,
                       let reply = try? await connection.readReply(timeout: options.quitTimeout, stage: .quit) {
                        _ = try? transaction.received(reply)
                    }
                    return try finalResult(transaction, logger: logger)
                case .close:
                    return try finalResult(transaction, logger: logger)
                case .startTLS:
                    guard let tls = options.tls else { throw .protocolViolation("internal: STARTTLS without settings") }
                    try await connection.startTLS(tls, serverName: SMTPClientTLS.serverName(for: options.tlsServerName),
                                                  timeout: options.commandTimeout)
                    logger.debug("smtp client TLS established")
                    // The next action is the new EHLO: nothing to read first.
                    action = try transaction.tlsEstablished()
                    continue
                }
                let stage = transaction.expectedStage
                let timeout = stage == .dataDone ? options.dataDoneTimeout : options.commandTimeout
                let reply = try await connection.readReply(timeout: timeout, stage: stage)
                action = try transaction.received(reply)
            } catch {
                logger.debug("smtp client failed", metadata: ["error": "\(error)"])
                action = try transaction.failed(error)
            }
        }
    }

    private static func finalResult(_ transaction: SMTPClientTransaction,
                                    logger: Logger) throws(SMTPClientError) -> SMTPDeliveryResult {
        guard let result = transaction.result else {
            throw .protocolViolation("internal: transaction ended without a result")
        }
        for warning in result.warnings { logger.warning("\(warning)") }
        return result
    }
}

/// The driver's view of the channel: requests to SMTPClientChannelHandler.
struct SMTPClientConnection: Sendable {
    let channel: any Channel

    func send(_ lines: [String], timeout: Duration, stage: SMTPClientStage) async throws(SMTPClientError) {
        var buffer = channel.allocator.buffer(capacity: lines.reduce(0) { $0 + $1.utf8.count + 2 })
        for line in lines {
            buffer.writeString(line)
            buffer.writeStaticString("\r\n")
        }
        try await wait(write(buffer, timeout: TimeAmount(timeout), stage: stage), stage: stage)
    }

    /// Writes the dot-stuffed message and the final dot, keeping one chunk in flight
    /// while the next is encoded.
    func sendMessage(_ message: [UInt8], chunkSize: Int, timeout: Duration) async throws(SMTPClientError) {
        let chunkSize = max(chunkSize, 4096)
        var stuffer = SMTPDotStuffer()
        var inFlight: EventLoopFuture<Void>?
        var offset = 0
        // Encode into a reused array (cheap appends), then one copy into the ByteBuffer.
        var scratch: [UInt8] = []
        scratch.reserveCapacity(chunkSize + chunkSize / 16 + 8)
        repeat {
            let end = min(offset + chunkSize, message.count)
            scratch.removeAll(keepingCapacity: true)
            stuffer.encode(message[offset..<end], into: &scratch)
            if end == message.count { stuffer.finish(into: &scratch) }
            let buffer = channel.allocator.buffer(bytes: scratch)
            let next = write(buffer, timeout: TimeAmount(timeout), stage: .message)
            if let inFlight { try await wait(inFlight, stage: .message) }
            inFlight = next
            offset = end
        } while offset < message.count
        if let inFlight { try await wait(inFlight, stage: .message) }
    }

    /// Inserts the TLS handler in front of the SMTP handler and waits for the handshake.
    func startTLS(_ tls: SMTPClientTLS, serverName: String?, timeout: Duration) async throws(SMTPClientError) {
        try await request(stage: .tlsHandshake) { done in
            .startTLS(tls.context, serverName: serverName, timeout: TimeAmount(timeout), done: done)
        }
    }

    func readReply(timeout: Duration, stage: SMTPClientStage) async throws(SMTPClientError) -> SMTPReply {
        try await request(stage: stage) { reply in .readReply(timeout: TimeAmount(timeout), stage: stage, reply: reply) }
    }

    func close() async {
        try? await channel.close()
    }

    private func write(_ buffer: ByteBuffer, timeout: TimeAmount, stage: SMTPClientStage) -> EventLoopFuture<Void> {
        channel.writeAndFlush(SMTPClientRequest.write(buffer, timeout: timeout, stage: stage))
    }

    /// Hands the handler a request that completes `promise`, and waits for it; a request
    /// the channel cannot take any more fails as an unexpected close.
    private func request<Value: Sendable>(
        stage: SMTPClientStage, _ make: (EventLoopPromise<Value>) -> SMTPClientRequest
    ) async throws(SMTPClientError) -> Value {
        let promise = channel.eventLoop.makePromise(of: Value.self)
        channel.writeAndFlush(make(promise)).whenFailure { _ in promise.fail(SMTPClientError.unexpectedClose(stage)) }
        return try await wait(promise.futureResult, stage: stage)
    }

    private func wait<Value: Sendable>(_ future: EventLoopFuture<Value>,
                                       stage: SMTPClientStage) async throws(SMTPClientError) -> Value {
        do {
            return try await future.get()
        } catch {
            throw Self.map(error, stage: stage)
        }
    }

    private static func map(_ error: any Error, stage: SMTPClientStage) -> SMTPClientError {
        (error as? SMTPClientError) ?? .unexpectedClose(stage)
    }
}
