import NIOConcurrencyHelpers
import NIOCore

/// Carries out `SessionTimeouts` on one connection: keeps the session's timing, arms one
/// timer at the deadline it gives, and when that passes while the server waits on the
/// client, writes Postfix's `421 4.4.2 … Error: timeout exceeded` and closes. Time the
/// server spends working (a slow filter, a pipelined flood) does not count: then the
/// client is waiting for us, not the other way round.
final class SessionTimer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private struct State {
        var timing: SessionTiming?
        var busy = false
        var reply: [UInt8] = []
    }

    private let timeouts: SessionTimeouts
    private let stressed: @Sendable () -> Bool
    private let expired: @Sendable (SessionTimeouts.Expiry) -> Void
    private let eventLoop: any EventLoop
    // Written from the session task, read on the event loop.
    private let state = NIOLockedValueBox(State())
    // Event loop only.
    private var context: ChannelHandlerContext?
    private var scheduled: Scheduled<Void>?

    /// - Parameters:
    ///   - stressed: whether the listener is under stress now (asked at every re-arm).
    ///   - expired: told why, just before the session is cut off (for the log).
    init(timeouts: SessionTimeouts, eventLoop: any EventLoop, stressed: @escaping @Sendable () -> Bool,
         expired: @escaping @Sendable (SessionTimeouts.Expiry) -> Void) {
        self.timeouts = timeouts
        self.eventLoop = eventLoop
        self.stressed = stressed
        self.expired = expired
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
        self.context = nil
    }

    /// The greeting is going out: the clock starts, and `reply` is what an expired session gets.
    func start(reply: [UInt8]) {
        state.withLockedValue {
            $0.timing = SessionTiming(started: .now())
            $0.reply = reply
        }
        rearm()
    }

    /// The server works on what the client sent; no deadline runs meanwhile.
    func beginWork() {
        state.withLockedValue { $0.busy = true }
    }

    /// The server waits on the client again, with the timing updated by `change`.
    func endWork(_ change: (inout SessionTiming) -> Void) {
        state.withLockedValue {
            $0.busy = false
            if $0.timing != nil { change(&$0.timing!) }
        }
        rearm()
    }

    /// Computes the deadline again: after new timing, and when the listener enters or leaves stress.
    func rearm() {
        eventLoop.execute { self.armOnLoop() }
    }

    private func armOnLoop() {
        scheduled?.cancel()
        scheduled = nil
        let (timing, busy) = state.withLockedValue { ($0.timing, $0.busy) }
        guard let timing, !busy, context != nil else { return }
        let deadline = timeouts.deadline(timing, stressed: stressed()).at
        scheduled = eventLoop.scheduleTask(deadline: deadline) { self.fire() }
    }

    private func fire() {
        scheduled = nil
        let (timing, busy, reply) = state.withLockedValue { ($0.timing, $0.busy, $0.reply) }
        guard let context, let timing, !busy else { return }
        let (deadline, reason) = timeouts.deadline(timing, stressed: stressed())
        guard deadline <= .now() else { return armOnLoop() }
        expired(reason)
        context.writeAndFlush(NIOAny(ByteBuffer(bytes: reply)), promise: nil)
        context.close(promise: nil)
    }
}
