import NIOCore

/// Drops a connection whose replies stayed stuck for a whole write timeout: a client that
/// sends and never reads (Postfix's smtpd_timeout covers writes too). Nothing to say to it.
public final class WriteStallCloser: ChannelInboundHandler, Sendable {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    public init() {}

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if idle == .write && !context.channel.isWritable { context.close(promise: nil) }
    }
}
