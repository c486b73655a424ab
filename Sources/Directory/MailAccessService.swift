/// A way a user reaches their mailbox, each allowed or not per mailbox (the directory's
/// `enableimap` / `enablepop3` columns, as iRedMail names them for Dovecot's
/// `password_query ... AND enable%Ls%Lc = 1`).
public enum MailAccessService: String, Sendable, CaseIterable, CustomStringConvertible {
    case imap
    case pop3

    /// The `mailbox` column that allows it.
    var column: String {
        switch self {
        case .imap: "enableimap"
        case .pop3: "enablepop3"
        }
    }

    public var description: String { rawValue.uppercased() }
}
