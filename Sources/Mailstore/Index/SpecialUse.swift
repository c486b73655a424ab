/// RFC 6154 special-use attributes of the default folders.
public enum SpecialUse: String, Sendable, Hashable, CaseIterable {
    case drafts = "\\Drafts"
    case sent = "\\Sent"
    case trash = "\\Trash"
    case junk = "\\Junk"

    /// The folder name each has, as in Dovecot's default `15-mailboxes.conf`; the names
    /// are also how the attribute is found again (Maildir++ keeps no attributes on disk).
    public var defaultMailboxName: String {
        switch self {
        case .drafts: "Drafts"
        case .sent: "Sent"
        case .trash: "Trash"
        case .junk: "Junk"
        }
    }

    /// The attribute of the mailbox called `name`, if it is one of the default names.
    public init?(mailboxName name: String) {
        guard let use = Self.allCases.first(where: { $0.defaultMailboxName == name }) else { return nil }
        self = use
    }
}
