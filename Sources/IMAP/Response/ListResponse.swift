/// `mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
/// [SP mbox-list-extended]` (RFC 9051 §7.3.1, RFC 5258 CHILDINFO, RFC 9051 OLDNAME).
public struct ListResponse: Hashable, Sendable {
    /// `\HasNoChildren`, `\Noselect`, `\Subscribed`, `\Sent`… with the backslash.
    public var attributes: [String]
    /// The hierarchy delimiter (nil is `NIL`: a flat namespace).
    public var delimiter: Character?
    public var mailbox: MailboxName
    /// RFC 5258 `CHILDINFO` selection criteria the children matched (`SUBSCRIBED`).
    public var childInfo: [String]
    /// RFC 9051 `OLDNAME` after a RENAME.
    public var oldName: MailboxName?

    public init(
        attributes: [String], delimiter: Character?, mailbox: MailboxName, childInfo: [String] = [],
        oldName: MailboxName? = nil
    ) {
        self.attributes = attributes
        self.delimiter = delimiter
        self.mailbox = mailbox
        self.childInfo = childInfo
        self.oldName = oldName
    }
}
