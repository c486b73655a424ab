import GRDB

/// The tables of a mailbox index (`moat-index.sqlite`, one per folder). Everything in it
/// can be rebuilt from the Maildir and `moat-index-state`, except the cached parts.
///
/// - `mailbox`: one row, the mailbox's counters, and the `new/` and `cur/` mtimes seen at
///   the last full scan (a sync that finds them unchanged skips reading the directories).
/// - `message`: one row per message; `file_name` is its path under the folder
///   (`cur/…` normally, `new/…` when only read-only handles have seen it).
/// - `expunged`: every UID removed, with the MODSEQ of its removal (QRESYNC VANISHED).
enum IndexSchema {
    static let fileName = "moat-index.sqlite"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE mailbox (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    uid_validity INTEGER NOT NULL,
                    uid_next INTEGER NOT NULL,
                    highest_mod_seq INTEGER NOT NULL,
                    new_mtime REAL NOT NULL DEFAULT 0,
                    cur_mtime REAL NOT NULL DEFAULT 0);
                CREATE TABLE message (
                    uid INTEGER PRIMARY KEY,
                    base TEXT NOT NULL UNIQUE,
                    file_name TEXT NOT NULL,
                    flags INTEGER NOT NULL,
                    keywords TEXT NOT NULL,
                    mod_seq INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    internal_date REAL NOT NULL,
                    envelope BLOB,
                    body_structure BLOB);
                CREATE INDEX message_mod_seq ON message(mod_seq);
                CREATE TABLE expunged (uid INTEGER PRIMARY KEY, mod_seq INTEGER NOT NULL);
                CREATE INDEX expunged_mod_seq ON expunged(mod_seq);
                """)
        }
        migrator.registerMigration("v2: first recent UID") { db in
            // RFC 3501 \Recent: messages at or above it have not been seen by any session.
            try db.execute(sql: "ALTER TABLE mailbox ADD COLUMN first_recent_uid INTEGER NOT NULL DEFAULT 1")
        }
        return migrator
    }

    static let messageColumns = "uid, flags, keywords, mod_seq, size, internal_date, base"

    /// An `IndexedMessage` from a row selected with `messageColumns` first. Read by position:
    /// a lookup by name lowercases the name on every call, some 7% of the CPU of a warm
    /// SELECT + FETCH 1:* on 10,000 messages.
    static func message(_ row: Row) -> IndexedMessage {
        let keywords: String = row[2]
        return IndexedMessage(
            uid: MessageUID(truncatingIfNeeded: row[0] as Int64),
            flags: MessageFlags(rawValue: UInt8(truncatingIfNeeded: row[1] as Int64)),
            keywords: keywords.isEmpty ? [] : keywords.split(separator: " ").map(String.init),
            modSeq: ModSeq(row[3] as Int64), size: row[4], internalDate: row[5], baseName: row[6])
    }

    static func keywordsColumn(_ keywords: [String]) -> String { keywords.sorted().joined(separator: " ") }
}

/// The `mailbox` row.
struct MailboxCounters {
    var uidValidity: UInt32
    var uidNext: MessageUID
    var highestModSeq: ModSeq
    var newMtime: Double
    var curMtime: Double

    static func fetch(_ db: Database) throws -> MailboxCounters? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM mailbox WHERE id = 1") else { return nil }
        return MailboxCounters(
            uidValidity: UInt32(truncatingIfNeeded: row["uid_validity"] as Int64),
            uidNext: MessageUID(truncatingIfNeeded: row["uid_next"] as Int64),
            highestModSeq: ModSeq(row["highest_mod_seq"] as Int64), newMtime: row["new_mtime"],
            curMtime: row["cur_mtime"])
    }

    func save(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO mailbox (id, uid_validity, uid_next, highest_mod_seq, new_mtime, cur_mtime)
                VALUES (1, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET uid_validity = excluded.uid_validity, uid_next = excluded.uid_next,
                    highest_mod_seq = excluded.highest_mod_seq, new_mtime = excluded.new_mtime,
                    cur_mtime = excluded.cur_mtime
                """,
            arguments: [Int64(uidValidity), Int64(uidNext), Int64(highestModSeq), newMtime, curMtime])
    }
}
