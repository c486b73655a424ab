/// One mailbox in a user's LIST (RFC 9051 §6.3.9, RFC 5258 LIST-EXTENDED).
public struct MailboxInfo: Sendable, Hashable {
    /// The IMAP name, Unicode (the IMAP layer encodes it as modified UTF-7 or UTF-8),
    /// `.`-separated; `INBOX` for the Maildir root.
    public var name: String
    /// False for a name that only exists as the parent of others (`\Noselect` /
    /// `\NonExistent`): `.A.B` on disk without `.A`.
    public var selectable: Bool
    /// `\HasChildren` when true, `\HasNoChildren` otherwise.
    public var hasChildren: Bool
    public var subscribed: Bool
    public var specialUse: SpecialUse?

    public init(name: String, selectable: Bool, hasChildren: Bool, subscribed: Bool, specialUse: SpecialUse?) {
        self.name = name
        self.selectable = selectable
        self.hasChildren = hasChildren
        self.subscribed = subscribed
        self.specialUse = specialUse
    }
}
