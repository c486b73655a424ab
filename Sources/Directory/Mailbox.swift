import Foundation

/// A row of the `mailbox` table: one user who can log in and receives mail in a Maildir.
public struct Mailbox: Sendable, Equatable {
    /// Lowercase `local@domain`.
    public var address: String
    public var localPart: String
    public var domain: String
    /// Dovecot-style `{SHA512-CRYPT}$6$…`; see `PasswordHash`.
    public var passwordHash: String
    /// Maximum Maildir size in bytes; 0 means unlimited (Dovecot's `quota_rule = *:storage=0`).
    public var quotaBytes: Int64
    public var active: Bool
    public var created: Date
    /// The services this user may log in to (`enableimap`, `enablepop3`).
    public var services: Set<MailAccessService> = Set(MailAccessService.allCases)

    /// `<mailRoot>/<domain>/<user>/Maildir`, the layout Postfix Admin + Dovecot use
    /// (`mail_location = maildir:/var/vmail/%d/%n/Maildir`).
    public func maildir(mailRoot: String) -> String {
        "\(mailRoot)/\(domain)/\(localPart)/Maildir"
    }
}
