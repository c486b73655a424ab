import NIOCore

/// Says goodbye and closes a connection whose client went quiet (an `IdleStateHandler` read
/// timeout before it in the pipeline): POP3's autologout timer (RFC 1939 §3), IMAP's (RFC
/// 9051 §5.4). Stuck writes are `WriteStallCloser`'s.
public final class IdleDisconnector: ChannelInboundHandler, Sendable {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    private let farewell: [UInt8]

    /// - Parameter farewell: written before closing on a read timeout (`-ERR …`, `* BYE …`).
    public init(farewell: [UInt8]) {
        self.farewell = farewell
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard idle == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        let channel = context.channel
        context.writeAndFlush(NIOAny(ByteBuffer(bytes: farewell))).whenComplete { _ in channel.close(promise: nil) }
    }
}
