import IMAP

extension IMAPSession {
    /// IDLE (RFC 2177, RFC 9051 §6.3.13): `+ idling`, then the connection waits on
    /// `idleWakeups()` and calls `idleCheck` at each wake-up until the client's DONE (`idleDone`).
    func idle(_ tag: Tag) -> Next {
        send(.continuation(.text("idling")))
        return .idle(tag)
    }

    /// What wakes this IDLE: the selected mailbox's inotify watch and the slow fallback timer
    /// (`SessionSettings.idleCheckInterval`). The caller closes it when IDLE ends.
    func idleWakeups() -> IdleWakeups {
        IdleWakeups(mailbox: selected?.mailbox, fallback: settings.idleCheckInterval, logger: logger)
    }

    /// One look at the selected mailbox while idling: what changed goes out at once.
    public func idleCheck() async {
        // The Quarantine view's news come from the quarantine, which no watch sees.
        await refreshSelectedQuarantine()
        await sendUpdates()
    }

    /// The client's DONE.
    public func idleDone(_ tag: Tag) async {
        await sendUpdates()
        ok(tag, "Idle completed.")
    }
}
