import NIOCore

/// Says goodbye and closes a connection whose client went quiet (an `IdleStateHandler` read
/// timeout before it in the pipeline), or whose replies stayed stuck (a write timeout: then
/// nothing can be said). POP3's autologout timer (RFC 1939 §3), IMAP's (RFC 9051 §5.4).
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
        switch idle {
        case .read:
            let channel = context.channel
            context.writeAndFlush(NIOAny(ByteBuffer(bytes: farewell))).whenComplete { _ in channel.close(promise: nil) }
        case .write where !context.channel.isWritable:
            context.close(promise: nil)
        default:
            break
        }
    }
}
