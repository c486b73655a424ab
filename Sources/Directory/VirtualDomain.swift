import Foundation

/// A row of the `domain` table: a domain this server receives mail for.
public struct VirtualDomain: Sendable, Equatable {
    /// Lowercase name, e.g. `example.com`.
    public var name: String
    /// Inactive domains are treated as absent by lookups (Postfix Admin's `active` column).
    public var active: Bool
    /// Mail is accepted and relayed to the domain's next MX instead of delivered here
    /// (Postfix `relay_domains`; Postfix Admin's `backupmx`).
    public var backupMX: Bool
    public var created: Date
    /// How many mailboxes and alias rows (not counting catch-alls separately) it holds.
    public var mailboxCount: Int
    public var aliasCount: Int
}
