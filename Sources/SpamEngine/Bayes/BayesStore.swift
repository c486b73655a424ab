import Foundation
import GRDB

/// Counts for one token, as SpamAssassin's `bayes_token` row.
public struct BayesTokenCounts: Sendable, Equatable {
    public var spam: Int
    public var ham: Int
    public var atime: Int64
    public init(spam: Int, ham: Int, atime: Int64) { self.spam = spam; self.ham = ham; self.atime = atime }
}

/// `moat learn --stats`: what `sa-learn --dump magic` shows.
public struct BayesStats: Sendable, Equatable {
    public var nspam: Int
    public var nham: Int
    public var ntokens: Int
    /// Unix times of the oldest and newest token access; nil when there are no tokens.
    public var oldestAtime: Int64?
    public var newestAtime: Int64?
}

/// What learning one message did.
public enum BayesLearnOutcome: Sendable, Equatable {
    /// Tokens were added under the requested class.
    case learned
    /// Already learned as this class: nothing changed (sa-learn's idempotency).
    case alreadyLearned
    /// Had been learned as the other class: forgotten there first, then learned.
    case relearned
}

/// The token database, in SQLite through GRDB, laid out like SpamAssassin's SQL store
/// (`BayesStore/SQL.pm`): `bayes_vars` (message counts per user), `bayes_token` (40-bit
/// token id → spam/ham counts and last access time), `bayes_seen` (message id → `s`/`h`).
/// `user` is `""` for the site-wide database (the default); per-user databases share the
/// file with their own rows. Each learn/forget is one transaction. WAL journal for files.
public final class BayesStore: Sendable {
    public let user: String
    private let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path`, creating its directory.
    public init(path: String, user: String = "") throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var config = Configuration()
        config.busyMode = .timeout(10)
        // WAL + NORMAL: a commit is durable after the next checkpoint, and learning one
        // message per transaction stays fast; a lost last learn is harmless.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        writer = try DatabasePool(path: path, configuration: config)  // DatabasePool = WAL mode
        self.user = user
        try Self.migrator.migrate(writer)
    }

    /// A private in-memory database (tests).
    public init(inMemoryFor user: String = "") throws {
        writer = try DatabaseQueue()
        self.user = user
        try Self.migrator.migrate(writer)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: bayes tables") { db in
            try db.execute(sql: """
                CREATE TABLE bayes_vars (
                    user TEXT NOT NULL PRIMARY KEY,
                    spam_count INTEGER NOT NULL DEFAULT 0,
                    ham_count INTEGER NOT NULL DEFAULT 0,
                    last_expire INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE bayes_token (
                    user TEXT NOT NULL,
                    token INTEGER NOT NULL,
                    spam_count INTEGER NOT NULL DEFAULT 0,
                    ham_count INTEGER NOT NULL DEFAULT 0,
                    atime INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (user, token)) WITHOUT ROWID;
                CREATE INDEX bayes_token_atime ON bayes_token (user, atime);
                CREATE TABLE bayes_seen (
                    user TEXT NOT NULL,
                    msgid TEXT NOT NULL,
                    flag TEXT NOT NULL CHECK (flag IN ('s', 'h')),
                    PRIMARY KEY (user, msgid)) WITHOUT ROWID;
                """)
        }
        return m
    }

    // MARK: Reading

    public func messageCounts() throws -> (nspam: Int, nham: Int) {
        try writer.read { db in try Self.counts(db, user) }
    }

    static func counts(_ db: Database, _ user: String) throws -> (nspam: Int, nham: Int) {
        guard let row = try Row.fetchOne(db, sql: "SELECT spam_count, ham_count FROM bayes_vars WHERE user = ?",
                                         arguments: [user]) else { return (0, 0) }
        return (row[0], row[1])
    }

    public func stats() throws -> BayesStats {
        try writer.read { db in
            let (ns, nn) = try Self.counts(db, user)
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), MIN(atime), MAX(atime) FROM bayes_token WHERE user = ?",
                                       arguments: [user])
            return BayesStats(nspam: ns, nham: nn, ntokens: row?[0] ?? 0, oldestAtime: row?[1], newestAtime: row?[2])
        }
    }

    /// The counts of those `ids` that are in the database.
    public func counts(for ids: [BayesTokenID]) throws -> [BayesTokenID: BayesTokenCounts] {
        try writer.read { db in try Self.fetch(db, user, ids) }
    }

    static func fetch(_ db: Database, _ user: String, _ ids: [BayesTokenID]) throws -> [BayesTokenID: BayesTokenCounts] {
        var out: [BayesTokenID: BayesTokenCounts] = [:]
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(start + 500, ids.count)]
            start += chunk.count
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            var args: [any DatabaseValueConvertible] = [user]
            args += chunk.map { $0 as any DatabaseValueConvertible }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT token, spam_count, ham_count, atime FROM bayes_token WHERE user = ? AND token IN (\(marks))
                """, arguments: StatementArguments(args))
            while let r = try rows.next() {
                out[r[0]] = BayesTokenCounts(spam: r[1], ham: r[2], atime: r[3])
            }
        }
        return out
    }

    /// `s` or `h` when the message id was learned, else nil.
    public func seen(_ msgid: String) throws -> Character? {
        try writer.read { db in
            try String.fetchOne(db, sql: "SELECT flag FROM bayes_seen WHERE user = ? AND msgid = ?",
                                arguments: [user, msgid]).flatMap(\.first)
        }
    }

    // MARK: Learning

    /// Learns one message's tokens as spam or ham, keyed by `msgid` so that learning it
    /// again is a no-op and learning it as the other class moves its counts over.
    /// `aliases` are other ids of the same message (its Message-ID) checked for `seen`.
    @discardableResult
    public func learn(_ tokens: [BayesTokenID], msgid: String, aliases: [String] = [],
                      isSpam: Bool, atime: Int64) throws -> BayesLearnOutcome {
        try writer.write { db in
            let flag = isSpam ? "s" : "h"
            var outcome = BayesLearnOutcome.learned
            for id in [msgid] + aliases {
                guard let seen = try String.fetchOne(db, sql: "SELECT flag FROM bayes_seen WHERE user = ? AND msgid = ?",
                                                     arguments: [user, id]) else { continue }
                if seen == flag { return .alreadyLearned }
                try Self.change(db, user, tokens, spam: seen == "s" ? -1 : 0, ham: seen == "h" ? -1 : 0, atime: nil)
                try db.execute(sql: "DELETE FROM bayes_seen WHERE user = ? AND msgid = ?", arguments: [user, id])
                outcome = .relearned
                break
            }
            try Self.change(db, user, tokens, spam: isSpam ? 1 : 0, ham: isSpam ? 0 : 1, atime: atime)
            try db.execute(sql: "INSERT OR REPLACE INTO bayes_seen (user, msgid, flag) VALUES (?, ?, ?)",
                           arguments: [user, msgid, flag])
            return outcome
        }
    }

    /// Undoes the learning of a message; false when it was never learned.
    @discardableResult
    public func forget(_ tokens: [BayesTokenID], msgid: String, aliases: [String] = []) throws -> Bool {
        try writer.write { db in
            for id in [msgid] + aliases {
                guard let seen = try String.fetchOne(db, sql: "SELECT flag FROM bayes_seen WHERE user = ? AND msgid = ?",
                                                     arguments: [user, id]) else { continue }
                try Self.change(db, user, tokens, spam: seen == "s" ? -1 : 0, ham: seen == "h" ? -1 : 0, atime: nil)
                try db.execute(sql: "DELETE FROM bayes_seen WHERE user = ? AND msgid = ?", arguments: [user, id])
                return true
            }
            return false
        }
    }

    /// Adds `spam`/`ham` (±1) to the message counts and to every token's counts; tokens
    /// whose counts both reach zero are deleted (SpamAssassin's `multi_tok_count_change`).
    static func change(_ db: Database, _ user: String, _ tokens: [BayesTokenID], spam: Int, ham: Int, atime: Int64?) throws {
        try db.execute(sql: """
            INSERT INTO bayes_vars (user, spam_count, ham_count) VALUES (?, MAX(?, 0), MAX(?, 0))
            ON CONFLICT(user) DO UPDATE SET spam_count = MAX(spam_count + ?, 0), ham_count = MAX(ham_count + ?, 0)
            """, arguments: [user, spam, ham, spam, ham])
        if let atime {
            let up = try db.cachedStatement(sql: """
                INSERT INTO bayes_token (user, token, spam_count, ham_count, atime) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(user, token) DO UPDATE SET spam_count = spam_count + excluded.spam_count,
                    ham_count = ham_count + excluded.ham_count, atime = MAX(atime, excluded.atime)
                """)
            for t in tokens { try up.execute(arguments: [user, t, spam, ham, atime]) }
        } else {
            let down = try db.cachedStatement(sql: """
                UPDATE bayes_token SET spam_count = MAX(spam_count + ?, 0), ham_count = MAX(ham_count + ?, 0)
                WHERE user = ? AND token = ?
                """)
            let drop = try db.cachedStatement(sql: """
                DELETE FROM bayes_token WHERE user = ? AND token = ? AND spam_count <= 0 AND ham_count <= 0
                """)
            for t in tokens {
                try down.execute(arguments: [spam, ham, user, t])
                try drop.execute(arguments: [user, t])
            }
        }
    }

    /// Marks tokens that proved useful in a scan as used at `atime` (`tok_touch_all`).
    public func touch(_ ids: [BayesTokenID], atime: Int64) throws {
        guard !ids.isEmpty else { return }
        try writer.write { db in
            let st = try db.cachedStatement(sql: "UPDATE bayes_token SET atime = ? WHERE user = ? AND token = ? AND atime < ?")
            for id in ids { try st.execute(arguments: [atime, user, id, atime]) }
        }
    }

    // MARK: Expiry

    /// Deletes tokens last used before `atime`; returns how many.
    @discardableResult
    public func expire(olderThan atime: Int64) throws -> Int {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM bayes_token WHERE user = ? AND atime < ?", arguments: [user, atime])
            let removed = db.changesCount
            try db.execute(sql: "UPDATE bayes_vars SET last_expire = ? WHERE user = ?",
                           arguments: [Int64(Date().timeIntervalSince1970), user])
            return removed
        }
    }

    /// Keeps at most `maxTokens` tokens, deleting those with the oldest access time
    /// (`bayes_expiry_max_db_size`; SpamAssassin expires down to 75% of it, as here when
    /// `targetFraction` is 0.75). Returns how many tokens were deleted.
    @discardableResult
    public func expire(keepingAtMost maxTokens: Int, targetFraction: Double = 0.75) throws -> Int {
        try writer.write { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bayes_token WHERE user = ?", arguments: [user]) ?? 0
            guard count > maxTokens else { return 0 }
            let keep = max(0, Int(Double(maxTokens) * targetFraction))
            let remove = count - keep
            try db.execute(sql: """
                DELETE FROM bayes_token WHERE user = ? AND token IN (
                    SELECT token FROM bayes_token WHERE user = ? ORDER BY atime ASC, token ASC LIMIT ?)
                """, arguments: [user, user, remove])
            try db.execute(sql: "UPDATE bayes_vars SET last_expire = ? WHERE user = ?",
                           arguments: [Int64(Date().timeIntervalSince1970), user])
            return remove
        }
    }
}
