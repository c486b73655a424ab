import Foundation
import GRDB

/// The SQLite index: schema, migrations, and the mapping between `quarantine` rows and
/// `QuarantineEntry`. Functions take a `Database` so the store decides the transactions.
///
/// Column formats, chosen to be readable from the `sqlite3` shell:
/// - times are Unix seconds (REAL): `datetime(time, 'unixepoch')`;
/// - lists are JSON arrays of strings (TEXT): `json_each(recipients)`.
enum QuarantineIndex {
    static let table = "quarantine"

    /// Versioned schema. Append new migrations; never edit a shipped one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: quarantine table") { db in
            try db.execute(sql: """
                CREATE TABLE quarantine (
                    mail_id      TEXT PRIMARY KEY NOT NULL,
                    time         REAL NOT NULL,
                    sender       TEXT NOT NULL,
                    recipients   TEXT NOT NULL,
                    category     TEXT NOT NULL,
                    score        REAL NOT NULL,
                    tests        TEXT NOT NULL,
                    virus_names  TEXT NOT NULL,
                    banned_names TEXT NOT NULL,
                    subject      TEXT,
                    message_id   TEXT,
                    size         INTEGER NOT NULL,
                    released_at  REAL,
                    released_to  TEXT
                );
                CREATE INDEX quarantine_time ON quarantine(time);
                CREATE INDEX quarantine_category ON quarantine(category, time);
                """)
        }
        migrator.registerMigration("v2: who released, and every release") { db in
            try db.execute(sql: """
                ALTER TABLE quarantine ADD COLUMN released_by TEXT;
                ALTER TABLE quarantine ADD COLUMN origin TEXT NOT NULL DEFAULT 'gateway';
                CREATE TABLE release (
                    mail_id     TEXT NOT NULL,
                    time        REAL NOT NULL,
                    released_by TEXT NOT NULL,
                    recipients  TEXT NOT NULL,
                    route       TEXT NOT NULL
                );
                CREATE INDEX release_mail_id ON release(mail_id, time);
                """)
        }
        migrator.registerMigration("v3: each user's Quarantine folder") { db in
            // `recipient`: the blocked recipients, one row each, lowercased and indexed, so a
            // user's folder finds its entries without reading every row's JSON list.
            // `dismissal`: what a user deleted from their folder (the others still see it).
            try db.execute(sql: """
                CREATE TABLE recipient (
                    address TEXT NOT NULL,
                    mail_id TEXT NOT NULL,
                    PRIMARY KEY (address, mail_id)
                ) WITHOUT ROWID;
                CREATE INDEX recipient_mail_id ON recipient(mail_id);
                INSERT OR IGNORE INTO recipient (address, mail_id)
                    SELECT lower(r.value), q.mail_id FROM quarantine q, json_each(q.recipients) r;
                CREATE TABLE dismissal (
                    mail_id TEXT NOT NULL,
                    user    TEXT NOT NULL,
                    time    REAL NOT NULL,
                    PRIMARY KEY (mail_id, user)
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }

    /// Inserts `entry`.
    /// - Throws: `QuarantineError.duplicateID` when the ID is already indexed.
    static func insert(_ entry: QuarantineEntry, in db: Database) throws {
        do {
            try db.execute(sql: """
                INSERT INTO quarantine (mail_id, time, sender, recipients, category, score,
                    tests, virus_names, banned_names, subject, message_id, size,
                    released_at, released_to, released_by, origin)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    entry.mailID, entry.time.timeIntervalSince1970, entry.sender,
                    try json(entry.recipients), entry.category.rawValue, entry.score,
                    try json(entry.tests), try json(entry.virusNames), try json(entry.bannedNames),
                    entry.subject, entry.messageID, entry.size,
                    entry.releasedAt?.timeIntervalSince1970, try entry.releasedTo.map(json), entry.releasedBy,
                    entry.origin.rawValue,
                ])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw QuarantineError.duplicateID(entry.mailID)
        }
        for address in Set(entry.recipients.map { $0.lowercased() }) {
            try db.execute(sql: "INSERT INTO recipient (address, mail_id) VALUES (?, ?)", arguments: [address, entry.mailID])
        }
    }

    static func fetch(_ id: String, in db: Database) throws -> QuarantineEntry? {
        try Row.fetchOne(db, sql: "SELECT * FROM quarantine WHERE mail_id = ?", arguments: [id])
            .map(entry(from:))
    }

    /// Entries matching `filter`, newest first (ties: most recently inserted first).
    static func fetch(_ filter: QuarantineFilter, in db: Database) throws -> [QuarantineEntry] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let category = filter.category {
            conditions.append("category = ?")
            arguments += [category.rawValue]
        }
        if let since = filter.since {
            conditions.append("time >= ?")
            arguments += [since.timeIntervalSince1970]
        }
        var sql = "SELECT * FROM quarantine"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY time DESC, rowid DESC"
        if let limit = filter.limit, limit > 0 {
            sql += " LIMIT ?"
            arguments += [limit]
        }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map(entry(from:))
    }

    /// IDs and categories of entries quarantined before `cutoff`, oldest first.
    static func fetchOlder(than cutoff: Date, in db: Database) throws -> [(id: String, category: String)] {
        try Row.fetchAll(db, sql: "SELECT mail_id, category FROM quarantine WHERE time < ? ORDER BY time",
                         arguments: [cutoff.timeIntervalSince1970])
            .map { (try $0.decode(forColumn: "mail_id"), try $0.decode(forColumn: "category")) }
    }

    static func contains(_ id: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM quarantine WHERE mail_id = ?)",
                          arguments: [id]) ?? false
    }

    /// Records a release: a row in `release`, and on the entry the time, who, and the
    /// recipients appended to `released_to` without duplicates.
    /// - Returns: false if there is no such entry.
    static func markReleased(_ record: QuarantineRelease, in db: Database) throws -> Bool {
        guard let current = try fetch(record.mailID, in: db) else { return false }
        var releasedTo = current.releasedTo ?? []
        for recipient in record.recipients where !releasedTo.contains(recipient) {
            releasedTo.append(recipient)
        }
        try db.execute(sql: "UPDATE quarantine SET released_at = ?, released_to = ?, released_by = ? WHERE mail_id = ?",
                       arguments: [record.time.timeIntervalSince1970, try json(releasedTo), record.releasedBy,
                                   record.mailID])
        try db.execute(sql: "INSERT INTO release (mail_id, time, released_by, recipients, route) VALUES (?, ?, ?, ?, ?)",
                       arguments: [record.mailID, record.time.timeIntervalSince1970, record.releasedBy,
                                   try json(record.recipients), record.route])
        return true
    }

    /// Every release of `id`, oldest first.
    static func releases(of id: String, in db: Database) throws -> [QuarantineRelease] {
        try Row.fetchAll(db, sql: "SELECT * FROM release WHERE mail_id = ? ORDER BY time", arguments: [id]).map { row in
            QuarantineRelease(
                mailID: id, time: Date(timeIntervalSince1970: try row.decode(forColumn: "time")),
                releasedBy: try row.decode(forColumn: "released_by"),
                recipients: try list("recipients", of: row, id: id),
                route: try row.decode(forColumn: "route"))
        }
    }

    /// Deletes the rows for `ids`; returns how many existed.
    static func delete(_ ids: [String], in db: Database) throws -> Int {
        var deleted = 0
        for id in ids {
            try db.execute(sql: "DELETE FROM quarantine WHERE mail_id = ?", arguments: [id])
            deleted += db.changesCount
            try db.execute(sql: "DELETE FROM release WHERE mail_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM dismissal WHERE mail_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM recipient WHERE mail_id = ?", arguments: [id])
        }
        return deleted
    }

    /// Count and original bytes per category, for entries at or after `since`.
    /// Categories this version does not know are left out.
    static func stats(since: Date?, in db: Database) throws -> [QuarantineCategory: QuarantineStats] {
        var sql = "SELECT category, COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM quarantine"
        var arguments: StatementArguments = []
        if let since {
            sql += " WHERE time >= ?"
            arguments += [since.timeIntervalSince1970]
        }
        sql += " GROUP BY category"
        var result = Dictionary(uniqueKeysWithValues: QuarantineCategory.allCases.map { ($0, QuarantineStats()) })
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            let name: String = try row.decode(forColumn: "category")
            guard let category = QuarantineCategory(rawValue: name) else { continue }
            result[category] = QuarantineStats(count: try row.decode(forColumn: "n"),
                                               bytes: try row.decode(forColumn: "bytes"))
        }
        return result
    }

    // MARK: Row mapping

    /// Decodes a row; a NULL or mistyped column is an error, never a crash.
    static func entry(from row: Row) throws -> QuarantineEntry {
        let id: String = try row.decode(forColumn: "mail_id")
        func list(_ column: String) throws -> [String] { try Self.list(column, of: row, id: id) }
        let categoryName: String = try row.decode(forColumn: "category")
        guard let category = QuarantineCategory(rawValue: categoryName) else {
            throw QuarantineError.corruptIndex(id: id, reason: "unknown category \(String(reflecting: categoryName))")
        }
        let releasedAt: Double? = try row.decode(forColumn: "released_at")
        let releasedTo: String? = try row.decode(forColumn: "released_to")
        return QuarantineEntry(
            mailID: id,
            time: Date(timeIntervalSince1970: try row.decode(forColumn: "time")),
            sender: try row.decode(forColumn: "sender"),
            recipients: try list("recipients"),
            category: category,
            score: try row.decode(forColumn: "score"),
            tests: try list("tests"),
            virusNames: try list("virus_names"),
            bannedNames: try list("banned_names"),
            subject: try row.decode(forColumn: "subject"),
            messageID: try row.decode(forColumn: "message_id"),
            size: try row.decode(forColumn: "size"),
            releasedAt: releasedAt.map(Date.init(timeIntervalSince1970:)),
            releasedTo: releasedTo == nil ? nil : try list("released_to"),
            releasedBy: try row.decode(forColumn: "released_by"),
            origin: QuarantineOrigin(rawValue: try row.decode(forColumn: "origin")) ?? .gateway)
    }

    /// A list column of `row` (a JSON array of strings); anything else is a corrupt index.
    private static func list(_ column: String, of row: Row, id: String) throws -> [String] {
        let text: String = try row.decode(forColumn: column)
        do {
            return try JSONDecoder().decode([String].self, from: Data(text.utf8))
        } catch {
            throw QuarantineError.corruptIndex(id: id, reason: "\(column) is not a JSON list of strings")
        }
    }

    private static func json(_ list: [String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: try encoder.encode(list), as: UTF8.self)
    }
}
