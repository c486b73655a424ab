import GRDB

/// The three questions recipient resolution asks, answered from active rows only: an
/// inactive domain, mailbox or alias is treated as absent, as Postfix Admin's queries
/// (`… AND active = '1'`) make it.
protocol DirectoryLookup {
    /// nil when the domain is not an active domain; otherwise whether it is a backup MX.
    func isBackupMX(domain: String) throws -> Bool?
    /// Targets of the alias `key` (`local@domain` or `@domain`), in insertion order.
    func aliasTargets(_ key: String) throws -> [String]
    /// The active mailbox at `address`.
    func mailbox(_ address: String) throws -> Mailbox?
}

/// `DirectoryLookup` on one read transaction, so a resolution sees one consistent state.
struct SnapshotLookup: DirectoryLookup {
    let db: Database

    func isBackupMX(domain: String) throws -> Bool? {
        try Bool.fetchOne(db, sql: "SELECT backup_mx FROM domain WHERE name = ? AND active", arguments: [domain])
    }

    func aliasTargets(_ key: String) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT a.target FROM alias a JOIN domain d ON d.name = a.domain
            WHERE a.address = ? AND a.active AND d.active ORDER BY a.rowid
            """, arguments: [key])
    }

    func mailbox(_ address: String) throws -> Mailbox? {
        try Row.fetchOne(db, sql: """
            SELECT m.* FROM mailbox m JOIN domain d ON d.name = m.domain
            WHERE m.address = ? AND m.active AND d.active
            """, arguments: [address]).map(DirectoryStore.mailbox(from:))
    }
}
