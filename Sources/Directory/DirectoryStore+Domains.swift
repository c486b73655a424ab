import Foundation
import GRDB

extension DirectoryStore {
    /// Adds an active domain.
    /// - Parameter backupMX: accept the domain's mail and relay it to its next MX
    ///   rather than deliver it here.
    /// - Throws: `DirectoryError.invalidDomain`, `.domainExists`.
    @discardableResult
    public func addDomain(_ name: String, backupMX: Bool = false) throws(DirectoryError) -> VirtualDomain {
        let name = try DirectoryAddress.domain(name)
        let domain = VirtualDomain(name: name, active: true, backupMX: backupMX, created: Date(),
                                   mailboxCount: 0, aliasCount: 0)
        try write("add domain \(name)") { db in
            guard try Self.domainExists(name, in: db) == false else { throw DirectoryError.domainExists(name) }
            try db.execute(sql: "INSERT INTO domain (name, active, backup_mx, created) VALUES (?, 1, ?, ?)",
                           arguments: [name, backupMX, domain.created.timeIntervalSince1970])
        }
        return domain
    }

    /// Every domain, active or not, by name.
    public func domains() throws(DirectoryError) -> [VirtualDomain] {
        try read("list domains") { db in
            try Row.fetchAll(db, sql: Self.domainSelect + " ORDER BY d.name").map(Self.domain(from:))
        }
    }

    /// The active local (not backup-MX) domain added first: whose postmaster gets the
    /// MX's notices by default.
    public func firstLocalDomain() throws(DirectoryError) -> VirtualDomain? {
        try read("read the first local domain") { db in
            try Row.fetchOne(db, sql: Self.domainSelect
                             + " WHERE d.active = 1 AND d.backup_mx = 0 ORDER BY d.created, d.name LIMIT 1")
                .map(Self.domain(from:))
        }
    }

    /// The domain called `name` (any case), active or not.
    public func domain(_ name: String) throws(DirectoryError) -> VirtualDomain? {
        let name = try DirectoryAddress.domain(name)
        return try read("read domain \(name)") { db in
            try Row.fetchOne(db, sql: Self.domainSelect + " WHERE d.name = ?", arguments: [name]).map(Self.domain(from:))
        }
    }

    /// Deletes a domain. With mailboxes or aliases left it refuses, unless `force`, which
    /// deletes those rows in the same transaction.
    /// - Throws: `.unknownDomain`, `.domainNotEmpty(name, mailboxes:, aliases:)`.
    public func deleteDomain(_ name: String, force: Bool = false) throws(DirectoryError) {
        let name = try DirectoryAddress.domain(name)
        try write("delete domain \(name)") { db in
            guard let domain = try Row.fetchOne(db, sql: Self.domainSelect + " WHERE d.name = ?", arguments: [name])
                .map(Self.domain(from:)) else { throw DirectoryError.unknownDomain(name) }
            if domain.mailboxCount + domain.aliasCount > 0 {
                guard force else {
                    throw DirectoryError.domainNotEmpty(name, mailboxes: domain.mailboxCount, aliases: domain.aliasCount)
                }
                try db.execute(sql: "DELETE FROM alias WHERE domain = ?", arguments: [name])
                try db.execute(sql: "DELETE FROM mailbox WHERE domain = ?", arguments: [name])
            }
            try db.execute(sql: "DELETE FROM domain WHERE name = ?", arguments: [name])
        }
    }

    /// Enables or disables a domain; a disabled domain is not local to lookups.
    public func setDomainActive(_ name: String, _ active: Bool) throws(DirectoryError) {
        let name = try DirectoryAddress.domain(name)
        try write("update domain \(name)") { db in
            try db.execute(sql: "UPDATE domain SET active = ? WHERE name = ?", arguments: [active, name])
            if db.changesCount == 0 { throw DirectoryError.unknownDomain(name) }
        }
    }

    /// An active domain whose mail is delivered here (not a backup MX).
    public func isLocalDomain(_ name: String) throws(DirectoryError) -> Bool {
        try activeDomain(name).map { !$0.backupMX } ?? false
    }

    /// An active domain this server is backup MX for.
    public func isBackupMX(_ name: String) throws(DirectoryError) -> Bool {
        try activeDomain(name)?.backupMX ?? false
    }

    /// The active domain called `name` (any case); nil when there is none, or `name` is
    /// not a domain name.
    public func activeDomain(_ name: String) throws(DirectoryError) -> VirtualDomain? {
        guard let name = try? DirectoryAddress.domain(name) else { return nil }
        return try read("read domain \(name)") { db in
            try Row.fetchOne(db, sql: Self.domainSelect + " WHERE d.name = ? AND d.active", arguments: [name])
                .map(Self.domain(from:))
        }
    }

    // MARK: Rows

    static func domainExists(_ name: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM domain WHERE name = ?)", arguments: [name]) ?? false
    }

    /// A domain that can hold mailboxes and aliases: present and not a backup MX.
    static func requireDeliveryDomain(_ name: String, in db: Database) throws {
        guard let backupMX = try Bool.fetchOne(db, sql: "SELECT backup_mx FROM domain WHERE name = ?", arguments: [name])
        else { throw DirectoryError.unknownDomain(name) }
        if backupMX { throw DirectoryError.backupMXDomain(name) }
    }

    private static let domainSelect = """
        SELECT d.name, d.active, d.backup_mx, d.created,
            (SELECT COUNT(*) FROM mailbox m WHERE m.domain = d.name) AS mailboxes,
            (SELECT COUNT(*) FROM alias a WHERE a.domain = d.name) AS aliases
        FROM domain d
        """

    private static func domain(from row: Row) -> VirtualDomain {
        VirtualDomain(name: row["name"], active: row["active"], backupMX: row["backup_mx"],
                      created: Date(timeIntervalSince1970: row["created"]),
                      mailboxCount: row["mailboxes"], aliasCount: row["aliases"])
    }
}
