import MoatCore

/// Whether a mailbox exists, as the directory knows it.
public enum RecipientStatus: Sendable, Hashable {
    case exists
    case unknown
    /// Exists but is over its quota (answered 452 4.2.2 at RCPT when known).
    case overQuota
    /// An address no mailbox here can have (a quoted local part, a `/` in it): answered
    /// 553 5.1.3, as delivery would fail it with bad address syntax, never as a
    /// temporary lookup failure that senders retry for days.
    case unusable
}

/// The caller's knowledge of its own domains and users (the Directory module, or a table
/// in a filter-only setup). Domains arrive normalised as `AddressRouting` does (ASCII
/// lowercase, no trailing dot); a thrown error is a temporary lookup failure (451 4.3.0).
public protocol RecipientDirectory: Sendable {
    /// Final delivery here: virtual mailbox/alias domains (Postfix's RESOLVE_CLASS_FINAL).
    func isLocalDomain(_ domain: String) async throws -> Bool
    /// Accepted for relaying to a next hop (Postfix's relay_domains).
    func isRelayDomain(_ domain: String) async throws -> Bool
    /// Asked only for addresses in a local or relay domain. `size` is the message size the
    /// client declared with MAIL FROM SIZE=, if any: a mailbox it would not fit into counts
    /// as over quota (what Dovecot's quota-status service tells Postfix).
    func recipientExists(_ address: EmailAddress, size: Int?) async throws -> RecipientStatus
}
