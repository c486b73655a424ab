import NIOConcurrencyHelpers
import NIOCore

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
