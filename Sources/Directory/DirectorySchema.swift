import GRDB

/// The directory's tables, in Postfix Admin's shape (`domain`, `mailbox`, `alias`) so
/// admins recognise them in the `sqlite3` shell.
///
/// Column formats: names and addresses lowercase; booleans 0/1; `created` Unix seconds
/// (REAL, `datetime(created, 'unixepoch')`); `quota_bytes` 0 for unlimited.
enum DirectorySchema {
    /// Versioned schema. Append new migrations ("v2: …"); never edit a shipped one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: domain, mailbox, alias") { db in
            try db.execute(sql: """
                CREATE TABLE domain (
                    name      TEXT PRIMARY KEY NOT NULL CHECK (name = lower(name)),
                    active    INTEGER NOT NULL DEFAULT 1,
                    backup_mx INTEGER NOT NULL DEFAULT 0,
                    created   REAL NOT NULL
                );
                CREATE TABLE mailbox (
                    address       TEXT PRIMARY KEY NOT NULL CHECK (address = lower(address)),
                    local_part    TEXT NOT NULL,
                    domain        TEXT NOT NULL REFERENCES domain(name),
                    password_hash TEXT NOT NULL,
                    quota_bytes   INTEGER NOT NULL DEFAULT 0 CHECK (quota_bytes >= 0),
                    active        INTEGER NOT NULL DEFAULT 1,
                    created       REAL NOT NULL
                );
                CREATE INDEX mailbox_domain ON mailbox(domain);
                CREATE TABLE alias (
                    address TEXT NOT NULL CHECK (address = lower(address)),
                    target  TEXT NOT NULL CHECK (target = lower(target)),
                    domain  TEXT NOT NULL REFERENCES domain(name),
                    active  INTEGER NOT NULL DEFAULT 1,
                    created REAL NOT NULL,
                    UNIQUE (address, target)
                );
                CREATE INDEX alias_domain ON alias(domain);
                """)
        }
        migrator.registerMigration("v2: per-mailbox IMAP and POP3 access") { db in
            // iRedMail's column names, which Dovecot admins know from its password_query.
            try db.execute(sql: """
                ALTER TABLE mailbox ADD COLUMN enableimap INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE mailbox ADD COLUMN enablepop3 INTEGER NOT NULL DEFAULT 1;
                """)
        }
        return migrator
    }
}
