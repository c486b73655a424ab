import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// Switches a connection to TLS after STARTTLS. It sits in the pipeline from the start and
/// counts what it passes up, so the session can tell bytes the client sent before the
/// switch (plaintext after STARTTLS: injected, dropped per RFC 3207 §5) from decrypted ones;
/// the 220 reply and the insertion of the TLS handler happen in one event-loop turn, so no
/// read can fall between them.
public final class StartTLSSwitch: ChannelInboundHandler, @unchecked Sendable {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    // Event loop only.
    private var readsForwarded = 0
    private var context: ChannelHandlerContext?

    public init() {}

    public func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    public func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readsForwarded += 1
        context.fireChannelRead(data)
    }

    /// How many reads the client caused so far (before the greeting: it talked first).
    public static func readsSoFar(on channel: any Channel) async throws -> Int {
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: StartTLSSwitch.self).readsForwarded
        }.get()
    }

    /// Writes `reply` (plaintext), then puts TLS under everything.
    /// - Returns: how many reads had been passed up before the switch.
    public static func perform(on channel: any Channel, reply: [UInt8], sslContext: NIOSSLContext,
                        observer: TLSHandshakeObserver) async throws -> Int {
        try await channel.eventLoop.submit {
            let sync = channel.pipeline.syncOperations
            let handler = try sync.handler(type: StartTLSSwitch.self)
            guard let context = handler.context else { throw ChannelError.ioOnClosedChannel }
            context.writeAndFlush(NIOAny(ByteBuffer(bytes: reply)), promise: nil)
            try sync.addHandler(observer, position: .first)
            try sync.addHandler(NIOSSLServerHandler(context: sslContext), position: .after(observer))
            return handler.readsForwarded
        }.get()
    }
}

/// Watches the server's first TLS bytes for the ServerHello (see `TLSServerHello`).
public final class TLSHandshakeObserver: ChannelOutboundHandler, @unchecked Sendable {
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private var parser = TLSServerHello() // event loop only

    public init() {}
    private let result = NIOLockedValueBox<TLSInfo?>(nil)

    /// What the handshake negotiated, once the ServerHello went out.
    public var info: TLSInfo? { result.withLockedValue { $0 } }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !parser.isFinished {
            let buffer = unwrapOutboundIn(data)
            parser.feed(buffer.readableBytesView)
            if let info = parser.info { result.withLockedValue { $0 = info } }
        }
        context.write(data, promise: promise)
    }
}
