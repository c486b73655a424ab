import Foundation
import GRDB

extension DirectoryStore {
    /// Adds one alias row per target for `address` (`local@domain` or catch-all
    /// `@domain`), all or none. A target equal to the address keeps the mailbox's own
    /// delivery (Postfix's self-reference rule), e.g. `alice@ → alice@, bob@`.
    /// - Throws: `.invalidAddress`, `.unknownDomain`, `.backupMXDomain`, `.aliasExists`.
    @discardableResult
    public func addAlias(_ address: String, targets: [String]) throws(DirectoryError) -> [AliasEntry] {
        let (address, domain) = try DirectoryAddress.aliasSource(address)
        guard !targets.isEmpty else { throw .invalidAddress(address, reason: "an alias needs at least one target") }
        var seen = Set<String>()
        var normalised: [String] = []
        for target in targets {
            let t = try DirectoryAddress.target(target)
            if seen.insert(t).inserted { normalised.append(t) }
        }
        let now = Date()
        let entries = normalised.map { AliasEntry(address: address, target: $0, active: true, created: now) }
        try write("add alias \(address)") { db in
            try Self.requireDeliveryDomain(domain, in: db)
            for entry in entries {
                let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM alias WHERE address = ? AND target = ?)",
                                               arguments: [address, entry.target]) ?? false
                if exists { throw DirectoryError.aliasExists(address: address, target: entry.target) }
                try db.execute(sql: "INSERT INTO alias (address, target, domain, active, created) VALUES (?, ?, ?, 1, ?)",
                               arguments: [address, entry.target, domain, now.timeIntervalSince1970])
            }
        }
        return entries
    }

    /// Alias rows, active or not, by address then target; only `domain`'s when given.
    public func aliases(domain: String? = nil) throws(DirectoryError) -> [AliasEntry] {
        let domain = try domain.map { name throws(DirectoryError) in try DirectoryAddress.domain(name) }
        return try read("list aliases") { db in
            let rows = if let domain {
                try Row.fetchAll(db, sql: "SELECT * FROM alias WHERE domain = ? ORDER BY address, target", arguments: [domain])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM alias ORDER BY domain, address, target")
            }
            return rows.map { AliasEntry(address: $0["address"], target: $0["target"], active: $0["active"],
                                         created: Date(timeIntervalSince1970: $0["created"])) }
        }
    }

    /// Deletes every row of `address`, or only its row to `target`; returns how many went.
    /// - Throws: `.unknownAlias` when nothing matched.
    @discardableResult
    public func deleteAlias(_ address: String, target: String? = nil) throws(DirectoryError) -> Int {
        let address = try DirectoryAddress.aliasSource(address).address
        let target = try target.map { t throws(DirectoryError) in try DirectoryAddress.target(t) }
        return try write("delete alias \(address)") { db in
            if let target {
                try db.execute(sql: "DELETE FROM alias WHERE address = ? AND target = ?", arguments: [address, target])
            } else {
                try db.execute(sql: "DELETE FROM alias WHERE address = ?", arguments: [address])
            }
            if db.changesCount == 0 { throw DirectoryError.unknownAlias(address: address, target: target) }
            return db.changesCount
        }
    }

    /// Enables or disables every row of `address`, or only its row to `target`.
    public func setAliasActive(_ address: String, target: String? = nil, _ active: Bool) throws(DirectoryError) {
        let address = try DirectoryAddress.aliasSource(address).address
        let target = try target.map { t throws(DirectoryError) in try DirectoryAddress.target(t) }
        try write("update alias \(address)") { db in
            try db.execute(sql: "UPDATE alias SET active = ? WHERE address = ? AND (? IS NULL OR target = ?)",
                           arguments: [active, address, target, target])
            if db.changesCount == 0 { throw DirectoryError.unknownAlias(address: address, target: target) }
        }
    }
}
