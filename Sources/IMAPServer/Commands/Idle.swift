import IMAP

extension IMAPSession {
    /// IDLE (RFC 2177, RFC 9051 §6.3.13): `+ idling`, then the connection watches the
    /// mailbox (`idleCheck`) until the client's DONE (`idleDone`).
    func idle(_ tag: Tag) -> Next {
        send(.continuation(.text("idling")))
        return .idle(tag)
    }

    /// One look at the selected mailbox while idling: what changed goes out at once.
    public func idleCheck() async {
        await sendUpdates()
    }

    /// The client's DONE.
    public func idleDone(_ tag: Tag) async {
        await sendUpdates()
        ok(tag, "Idle completed.")
    }

    /// How often the connection calls `idleCheck`.
    public var idleCheckInterval: Duration { settings.idleCheckInterval }
}
