import NIOCore
import NIOPosix

/// A bound TCP listener that accepts nothing until `run`: `moat serve` binds its ports as
/// root and switches to its service account in between, so no connection is read as root.
/// Each connection is served in a child task of a discarding task group, so a finished
/// session frees its memory at once. Every protocol's server (SMTP, POP3, IMAP) sits on one.
public struct ListeningSocket: Sendable {
    public typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    private let channel: NIOAsyncChannel<Connection, Never>
    /// The bound address (useful with port 0).
    public let localAddress: SocketAddress

    /// Binds `host:port`; `configure` adds a connection's handlers (TLS, timeouts) on its
    /// event loop before it is wrapped for async use.
    public static func bind(host: String, port: Int, group: any EventLoopGroup,
                            configure: @escaping @Sendable (any Channel) throws -> Void) async throws -> ListeningSocket {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.autoRead, value: false)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try configure(child)
                    return try Connection(wrappingChannelSynchronously: child)
                }
            }
        return ListeningSocket(channel: channel, localAddress: channel.channel.localAddress!)
    }

    /// Accepts connections and serves each with `serve` until the listener is closed and
    /// every session has ended. A listener closed before it ran stays closed.
    public func run(_ serve: @escaping @Sendable (Connection) async -> Void) async throws {
        try? await channel.channel.setOption(.autoRead, value: true).get()
        try await channel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in inbound {
                    group.addTask { await serve(connection) }
                }
            }
        }
    }

    /// Stops accepting; running sessions finish on their own.
    public func close() async {
        try? await channel.channel.close()
    }
}
