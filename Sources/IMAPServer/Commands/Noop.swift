import IMAP

extension IMAPSession {
    /// NOOP and CHECK (RFC 9051 §6.1.2, RFC 3501 §6.4.1): nothing but the mailbox's news
    /// (in the Quarantine view, what was quarantined or released since, too).
    func noop(_ tag: Tag, name: String) async -> Next {
        await refreshSelectedQuarantine()
        await sendUpdates()
        ok(tag, "\(name.prefix(1))\(name.dropFirst().lowercased()) completed.")
        return .goOn
    }
}
