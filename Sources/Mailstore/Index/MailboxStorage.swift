import Foundation
import GRDB
import MoatCore

/// One Maildir folder's index, shared by every handle on that folder in this process (see
/// `shared(directory:)`): its SQLite database, and the rule that every change to the
/// folder's files happens inside an index write transaction. GRDB's pool serialises those
/// in the process and SQLite's lock across processes, so two sessions and a sync can
/// never hand out one UID twice; a delivery into `new/` needs no lock, since only a sync
/// moves files out of `new/`.
///
/// **Crash safety.** A file is renamed (flags, `new/` → `cur/`) or unlinked before the
/// transaction that records it commits. A crash in between leaves a file the next sync
/// reads as an outside change: flags in its name are taken, a missing file is expunged,
/// and a `cur/` file whose `U=` is at or above UIDNEXT (given out, not yet committed)
/// keeps that UID.
///
/// **Rebuild.** The index (`moat-index.sqlite`, WAL mode, `synchronous = FULL`) is a cache
/// of the Maildir plus `moat-index-state` (see `IndexStateFile`). When it is missing, not
/// a database, or fails `PRAGMA quick_check`, it is set aside and rebuilt: UIDVALIDITY from
/// the state file, each message's UID from its `U=` field, else from `dovecot-uidlist` when
/// that file has the same UIDVALIDITY; UIDNEXT and HIGHESTMODSEQ restart at the state
/// file's reservations. Why UIDs in file names rather than a journal: the name is renamed
/// atomically with the flags and travels with the file through any copy or backup, and
/// `U=` is a legal Maildir field other readers ignore.
final class MailboxStorage: Sendable {
    let directory: String
    let indexPath: String
    let database: DatabasePool
    let outcome: MailboxOpenOutcome
    /// Full scans of the folder run through this storage (the build's included).
    let scans = Locked(0)
    /// The folder as the build left it, for the look that follows (see `sync`).
    let leftByBuild = Locked<MaildirDirectoryState?>(nil)

    private static let registry = Locked<[String: WeakStorage]>([:])

    /// The storage of the folder at `directory`, opened (and if needed built) once per
    /// process while any handle holds it.
    /// A read-only first opener builds the index without moving files out of `new/`.
    static func shared(directory: String, readOnly: Bool) throws -> MailboxStorage {
        try registry.withLock { entries in
            if let existing = entries[directory]?.storage { return existing }
            let storage = try MailboxStorage(directory: directory, readOnly: readOnly)
            entries[directory] = WeakStorage(storage: storage)
            return storage
        }
    }

    /// Forgets a folder (deleted or renamed); handles already open keep their storage.
    static func forget(directoryPrefix: String) {
        registry.withLock { entries in
            for key in entries.keys where key == directoryPrefix || key.hasPrefix(directoryPrefix + ".") {
                entries[key] = nil
            }
        }
    }

    private init(directory: String, readOnly: Bool) throws {
        self.directory = directory
        indexPath = "\(directory)/\(IndexSchema.fileName)"
        var damage: String?
        var pool: DatabasePool?
        if (try? DurableFile.status(of: indexPath)) != nil {
            do {
                let candidate = try Self.openPool(indexPath)
                try Self.check(candidate)
                try IndexSchema.migrator.migrate(candidate)
                if try candidate.read({ try MailboxCounters.fetch($0) }) != nil {
                    pool = candidate
                } else {
                    damage = "index has no mailbox row"
                }
            } catch {
                damage = "index unreadable: \(error)"
            }
        }
        if let pool {
            database = pool
            outcome = .existing
            return
        }
        if damage != nil { Self.setAside(indexPath) }
        do {
            database = try Self.openPool(indexPath)
            try IndexSchema.migrator.migrate(database)
        } catch {
            throw MailboxError.index(path: indexPath, operation: "create", message: "\(error)")
        }
        let built = try Self.build(database: database, directory: directory, damage: damage, moveNew: !readOnly)
        outcome = built.outcome
        scans.withLock { $0 += 1 }
        leftByBuild.withLock { $0 = built.left }
    }

    /// The write transaction all changes go through; SQLite errors become `MailboxError`.
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        try reportingIndexErrors(operation) { try database.write(body) }
    }

    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        try reportingIndexErrors(operation) { try database.read(body) }
    }

    /// SQLite's errors as `MailboxError.index`; our own pass through.
    private func reportingIndexErrors<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as MailboxError {
            throw error
        } catch {
            throw MailboxError.index(path: indexPath, operation: operation, message: "\(error)")
        }
    }

    // MARK: Building

    private static func openPool(_ path: String) throws -> DatabasePool {
        try MailboxError.mappingIO { try DurableFile.makeFile(path, mode: 0o600) }
        var configuration = Configuration()
        configuration.label = "moat.mailbox-index"
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // Flags a client was told are stored must survive power loss, like the files.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
    }

    private static func check(_ pool: DatabasePool) throws {
        let result = try pool.read { try String.fetchOne($0, sql: "PRAGMA quick_check") }
        guard result == "ok" else {
            throw MailboxError.index(path: "", operation: "quick_check", message: result ?? "no answer")
        }
    }

    /// Moves a damaged index out of the way (kept for inspection, like Dovecot's
    /// `.broken` files) with its WAL and shared-memory files.
    private static func setAside(_ path: String) {
        let stamp = Int(DurableFile.currentTime())
        _ = try? DurableFile.rename(path, to: "\(path).broken-\(stamp)")
        for suffix in ["-wal", "-shm"] { _ = try? DurableFile.remove(path + suffix) }
    }

    /// Fills a new index from the Maildir: UIDVALIDITY and reservations from the state
    /// file, else from `dovecot-uidlist`, else new.
    private static func build(database: DatabasePool, directory: String, damage: String?, moveNew: Bool) throws
        -> (outcome: MailboxOpenOutcome, left: MaildirDirectoryState?) {
        let state = IndexStateFile.read(directory: directory)
        let dovecot = DovecotUIDList(directory: directory)
        let uidValidity = state?.uidValidity ?? dovecot?.uidValidity ?? Self.newUIDValidity()
        let counters = MailboxCounters(
            uidValidity: uidValidity, uidNext: max(state?.reservedUID ?? 1, dovecot?.nextUID ?? 1, 1),
            highestModSeq: max(state?.reservedModSeq ?? 1, 1), newMtime: 0, curMtime: 0)
        var fileState = state ?? IndexStateFile(uidValidity: uidValidity, reservedUID: 0, reservedModSeq: 0)
        try fileState.reserve(uidNext: counters.uidNext, modSeq: counters.highestModSeq, directory: directory)
        let hints = dovecot.flatMap { $0.uidValidity == uidValidity ? $0.uids : nil } ?? [:]
        let storage = FolderSync(directory: directory, moveNew: moveNew, adoptRecordedUIDs: true, uidHints: hints,
                                 recordsLeftState: true)
        let report: FolderSync.Report
        do {
            report = try database.write { db in
                try counters.save(db)
                return try storage.run(db)
            }
        } catch let error as MailboxError {
            throw error
        } catch {
            throw MailboxError.index(path: directory, operation: "build", message: "\(error)")
        }
        if let damage { return (.rebuilt(reason: damage, keptUIDs: report.keptUIDs), report.left) }
        if state != nil { return (.rebuilt(reason: "index missing", keptUIDs: report.keptUIDs), report.left) }
        if dovecot != nil { return (.importedFromDovecot(count: report.keptFromHints), report.left) }
        return (.created, report.left)
    }

    /// Seconds since 1970, as Dovecot picks one, but never a value issued before in this
    /// process: a mailbox deleted and created again within a second must not get its old
    /// UIDVALIDITY back (RFC 9051 §2.3.1.1; Dovecot keeps `dovecot-uidvalidity` for the same
    /// reason). Across restarts the clock has moved on.
    private static func newUIDValidity() -> UInt32 {
        issuedUIDValidity.withLock { last in
            let now = UInt32(truncatingIfNeeded: Int(DurableFile.currentTime()))
            last = max(now, last &+ 1)
            return last
        }
    }

    private static let issuedUIDValidity = Locked<UInt32>(0)
}

private struct WeakStorage {
    weak var storage: MailboxStorage?
}

extension MailboxError {
    /// Runs a `DurableFile` call, reporting its `SystemCallError` as `.io`.
    @discardableResult
    static func mappingIO<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as SystemCallError {
            throw MailboxError.io(operation: failure.operation, path: failure.path, errno: failure.errno)
        }
    }
}
