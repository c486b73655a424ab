import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// What an IMAP or POP3 connection's pipeline holds before the protocol sees a byte: TLS
/// from the first byte on the TLS port, the autologout timer with its farewell, and the
/// STARTTLS switch for the plain port.
public enum MailboxListenerPipeline {
    public static func configure(_ channel: any Channel, tls: NIOSSLContext?, implicitTLS: Bool, idleTimeout: TimeAmount,
                                 farewell: [UInt8]) throws {
        let sync = channel.pipeline.syncOperations
        if implicitTLS, let tls { try sync.addHandler(NIOSSLServerHandler(context: tls)) }
        try sync.addHandler(IdleStateHandler(readTimeout: idleTimeout, writeTimeout: idleTimeout))
        try sync.addHandler(IdleDisconnector(farewell: farewell))
        try sync.addHandler(WriteStallCloser())
        try sync.addHandler(StartTLSSwitch())
    }
}

/// A listener's admission state behind its lock, with the one way to use it: admit, run the
/// session, release what was admitted.
public final class AdmissionGate: Sendable {
    private let state: NIOLockedValueBox<ConnectionAdmission>

    public init(_ rules: ConnectionAdmission.Rules) {
        state = NIOLockedValueBox(ConnectionAdmission(rules))
    }

    public func replaceRules(_ rules: ConnectionAdmission.Rules) {
        state.withLockedValue { _ = $0.replaceRules(rules) }
    }

    /// Runs `session` with the refusal (nil: admitted); an admitted connection is counted
    /// until `session` returns.
    public func admitting(_ peer: String?, _ session: (ConnectionAdmission.Refusal?) async -> Void) async {
        let (refusal, _) = state.withLockedValue { $0.admit(peer, now: .now()) }
        await session(refusal)
        if refusal == nil { state.withLockedValue { _ = $0.release(peer) } }
    }
}
