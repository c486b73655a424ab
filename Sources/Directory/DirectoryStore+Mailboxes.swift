import Foundation
import GRDB

extension DirectoryStore {
    /// Adds an active mailbox in an existing, non-backup-MX domain.
    /// - Parameter quotaBytes: Maildir size limit; 0 for unlimited.
    /// - Throws: `.invalidAddress`, `.unknownDomain`, `.backupMXDomain`, `.mailboxExists`,
    ///   `.invalidQuota`, `.invalidPassword`.
    @discardableResult
    public func addMailbox(_ address: String, password: [UInt8], quotaBytes: Int64 = 0) throws(DirectoryError) -> Mailbox {
        let (address, local, domain) = try DirectoryAddress.mailbox(address)
        guard quotaBytes >= 0 else { throw .invalidQuota(String(quotaBytes)) }
        let mailbox = Mailbox(address: address, localPart: local, domain: domain,
                              passwordHash: try PasswordHash.make(password), quotaBytes: quotaBytes,
                              active: true, created: Date())
        try write("add mailbox \(address)") { db in
            try Self.requireDeliveryDomain(domain, in: db)
            if try Self.fetchMailbox(address, in: db) != nil { throw DirectoryError.mailboxExists(address) }
            try db.execute(sql: """
                INSERT INTO mailbox (address, local_part, domain, password_hash, quota_bytes, active, created)
                VALUES (?, ?, ?, ?, ?, 1, ?)
                """, arguments: [address, local, domain, mailbox.passwordHash, quotaBytes,
                                 mailbox.created.timeIntervalSince1970])
        }
        return mailbox
    }

    /// Mailboxes, active or not, by address; only those of `domain` when given.
    public func mailboxes(domain: String? = nil) throws(DirectoryError) -> [Mailbox] {
        let domain = try domain.map { name throws(DirectoryError) in try DirectoryAddress.domain(name) }
        return try read("list mailboxes") { db in
            if let domain {
                return try Row.fetchAll(db, sql: "SELECT * FROM mailbox WHERE domain = ? ORDER BY address",
                                        arguments: [domain]).map(Self.mailbox(from:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM mailbox ORDER BY domain, address").map(Self.mailbox(from:))
        }
    }

    /// The mailbox at `address` (any case), active or not.
    public func mailbox(_ address: String) throws(DirectoryError) -> Mailbox? {
        let address = try DirectoryAddress.mailbox(address).address
        return try read("read mailbox \(address)") { db in try Self.fetchMailbox(address, in: db) }
    }

    /// Deletes the mailbox and the aliases whose address is this mailbox (its forwarding).
    /// - Throws: `.unknownMailbox`.
    public func deleteMailbox(_ address: String) throws(DirectoryError) {
        let address = try DirectoryAddress.mailbox(address).address
        try write("delete mailbox \(address)") { db in
            try db.execute(sql: "DELETE FROM mailbox WHERE address = ?", arguments: [address])
            if db.changesCount == 0 { throw DirectoryError.unknownMailbox(address) }
            try db.execute(sql: "DELETE FROM alias WHERE address = ?", arguments: [address])
        }
    }

    /// Replaces the mailbox's password with a fresh SHA512-CRYPT hash of `password`.
    public func setPassword(_ address: String, password: [UInt8]) throws(DirectoryError) {
        let address = try DirectoryAddress.mailbox(address).address
        let hash = try PasswordHash.make(password)
        try update(address, sql: "UPDATE mailbox SET password_hash = ? WHERE address = ?", [hash, address])
    }

    /// Sets the mailbox's quota in bytes (0: unlimited).
    public func setQuota(_ address: String, bytes: Int64) throws(DirectoryError) {
        let address = try DirectoryAddress.mailbox(address).address
        guard bytes >= 0 else { throw .invalidQuota(String(bytes)) }
        try update(address, sql: "UPDATE mailbox SET quota_bytes = ? WHERE address = ?", [bytes, address])
    }

    /// Enables or disables a mailbox; a disabled one neither receives mail nor logs in.
    public func setMailboxActive(_ address: String, _ active: Bool) throws(DirectoryError) {
        let address = try DirectoryAddress.mailbox(address).address
        try update(address, sql: "UPDATE mailbox SET active = ? WHERE address = ?", [active, address])
    }

    /// Allows or denies the user one way of reaching their mailbox; mail is still delivered.
    public func setAccess(_ address: String, service: MailAccessService, allowed: Bool) throws(DirectoryError) {
        let address = try DirectoryAddress.mailbox(address).address
        try update(address, sql: "UPDATE mailbox SET \(service.column) = ? WHERE address = ?", [allowed, address])
    }

    /// True when `password` is the password of an active mailbox in an active domain, as
    /// a login would check it. An unknown or inactive mailbox is simply false.
    /// - Throws: `.unsupportedHashScheme` when the stored hash cannot be checked.
    public func verifyPassword(_ address: String, password: [UInt8]) throws(DirectoryError) -> Bool {
        try login(address, password: password, service: nil) != nil
    }

    /// The mailbox when `password` is its password, it and its domain are active, and it may
    /// use `service` (any, when nil); nil otherwise, whichever check failed, so a client
    /// learns nothing about which accounts exist.
    /// - Throws: `.unsupportedHashScheme` when the stored hash cannot be checked.
    public func login(_ address: String, password: [UInt8], service: MailAccessService?) throws(DirectoryError) -> Mailbox? {
        guard let address = try? DirectoryAddress.mailbox(address).address else { return nil }
        let mailbox = try read("read mailbox \(address)") { db in
            try Row.fetchOne(db, sql: """
                SELECT m.* FROM mailbox m JOIN domain d ON d.name = m.domain
                WHERE m.address = ? AND m.active AND d.active
                """, arguments: [address]).map(Self.mailbox(from:))
        }
        guard let mailbox, try PasswordHash.verify(password, against: mailbox.passwordHash) else { return nil }
        if let service, !mailbox.services.contains(service) { return nil }
        return mailbox
    }

    // MARK: Rows

    private func update(_ address: String, sql: String, _ arguments: StatementArguments) throws(DirectoryError) {
        try write("update mailbox \(address)") { db in
            try db.execute(sql: sql, arguments: arguments)
            if db.changesCount == 0 { throw DirectoryError.unknownMailbox(address) }
        }
    }

    static func fetchMailbox(_ address: String, in db: Database) throws -> Mailbox? {
        try Row.fetchOne(db, sql: "SELECT * FROM mailbox WHERE address = ?", arguments: [address]).map(mailbox(from:))
    }

    static func mailbox(from row: Row) -> Mailbox {
        var mailbox = Mailbox(address: row["address"], localPart: row["local_part"], domain: row["domain"],
                              passwordHash: row["password_hash"], quotaBytes: row["quota_bytes"], active: row["active"],
                              created: Date(timeIntervalSince1970: row["created"]))
        mailbox.services = Set(MailAccessService.allCases.filter { row[$0.column] as Bool })
        return mailbox
    }
}
