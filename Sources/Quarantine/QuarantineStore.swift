import Foundation
import GRDB
import MoatCore

/// The local quarantine: one file per message plus an SQLite index, like amavisd-new's
/// `local:` quarantine with its SQL `msgs` table.
///
/// **Layout.** Files sit flat in `directory`, named `<category prefix>-<mail ID>` with
/// amavisd-new's prefixes (`virus-`, `banned-`, `spam-`, `badh-`, `clean-`; see
/// `QuarantineCategory.filePrefix`), e.g. `Quarantine/spam-Hx3k9_2LmQ0a`. A file is the
/// envelope header block of `EnvelopeHeaderBlock` followed by the original bytes,
/// unchanged. Temporary files are `.tmp.<mail ID>.<random>` in the same directory.
///
/// **Durability.** `store` returns only once the file and its directory entry are
/// fsync'ed and the index row is committed (`synchronous = FULL`), so the caller may then
/// answer 250. A crash between the two leaves a file without a row; `purge` removes such
/// orphans once they are older than its cutoff.
///
/// **Concurrency.** Safe to share between tasks and threads, and between processes (the
/// server and `moat quarantine …`): the index is a GRDB `DatabasePool` in WAL mode with a
/// busy timeout. All methods block on disk I/O; call them off latency-sensitive executors.
public final class QuarantineStore: Sendable {
    /// Where the message files live.
    public let directory: String
    /// The SQLite index file.
    public let indexPath: String
    private let database: DatabasePool

    /// Opens (creating if needed) the quarantine at `directory` with its index at
    /// `indexPath`, and brings the index schema up to date.
    ///
    /// Missing directories (the quarantine directory and the index's parent) are created
    /// with mode 0700 and a missing index 0600 (its `-wal`/`-shm` follow): the index names
    /// senders, recipients and subjects. Existing ones keep their permissions.
    public init(directory: String, indexPath: String) throws {
        try QuarantineError.mappingIO { try DurableFile.makeDirectories(directory, mode: 0o700) }
        try QuarantineError.mappingIO {
            try DurableFile.makeDirectories(DurableFile.parentDirectory(of: indexPath), mode: 0o700)
            try DurableFile.makeFile(indexPath, mode: 0o600)
        }
        self.directory = directory
        self.indexPath = indexPath
        var configuration = Configuration()
        configuration.label = "moat.quarantine"
        configuration.busyMode = .timeout(10)
        do {
            database = try DatabasePool(path: indexPath, configuration: configuration)
            // GRDB sets NORMAL with WAL; a committed row must survive power loss too,
            // since the caller acknowledges the message once `store` returns.
            try database.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            try QuarantineIndex.migrator.migrate(database)
        } catch {
            throw QuarantineError.index(operation: "open \(indexPath)", underlying: error)
        }
    }

    // MARK: Writing

    /// Quarantines `message`: writes its file durably, then indexes `entry`.
    ///
    /// The file holds the envelope header block built from `envelope` (all recipients in
    /// `X-Envelope-To`, `entry.recipients` in `X-Envelope-To-Blocked`) and then `message`
    /// unchanged. The index row is `entry` with `size` set to `message.count`.
    ///
    /// - Throws: `QuarantineError.invalidID` unless `entry.mailID` is a well-formed
    ///   `MailID`; `.duplicateID` if that ID is already quarantined (the existing message
    ///   is left alone); `.invalidAddress`, `.io` or `.index` otherwise. When it throws,
    ///   nothing of this message is left behind.
    public func store(message: [UInt8], envelope: Envelope, entry: QuarantineEntry) throws {
        let id = entry.mailID
        let path = try messagePath(id: id, category: entry.category)
        let header = try EnvelopeHeaderBlock.render(
            mailID: id, envelope: envelope, blocked: entry.recipients, for: message)
        let temporary = "\(directory)/.tmp.\(id).\(MailID.generate())"
        do {
            try QuarantineError.mappingIO {
                try DurableFile.create(path, temporaryPath: temporary, chunks: [header, message])
            }
        } catch QuarantineError.io(_, let failedPath, let code) where code == EEXIST && failedPath == path {
            throw QuarantineError.duplicateID(id)
        }
        var row = entry
        row.size = message.count
        do {
            try indexed("insert \(id)") {
                try database.write { db in try QuarantineIndex.insert(row, in: db) }
            }
        } catch {
            // Best effort: if even this fails, `purge` removes the orphan later.
            _ = try? DurableFile.remove(path)
            throw error
        }
    }

    /// Records a release: the entry's `releasedAt`, `releasedBy` and `releasedTo` (the
    /// recipients appended), and a row of the release history.
    /// - Throws: `QuarantineError.notFound` if there is no such entry.
    public func markReleased(_ record: QuarantineRelease) throws {
        try validate(record.mailID)
        let found = try indexed("mark \(record.mailID) released") {
            try database.write { db in try QuarantineIndex.markReleased(record, in: db) }
        }
        guard found else { throw QuarantineError.notFound(record.mailID) }
    }

    /// Every release of `id`, oldest first.
    public func releases(of id: String) throws -> [QuarantineRelease] {
        try validate(id)
        return try indexed("read releases of \(id)") {
            try database.read { db in try QuarantineIndex.releases(of: id, in: db) }
        }
    }

    /// Removes the message's file and index row.
    /// - Throws: `QuarantineError.notFound` if there is no such entry. A row whose file
    ///   is already gone is still deleted.
    public func delete(_ id: String) throws {
        guard let entry = try entry(id) else { throw QuarantineError.notFound(id) }
        // File first: if the row delete then fails, retrying finds the row and succeeds.
        let path = try messagePath(id: id, category: entry.category)
        try QuarantineError.mappingIO { try DurableFile.remove(path) }
        _ = try indexed("delete \(id)") {
            try database.write { db in try QuarantineIndex.delete([id], in: db) }
        }
    }

    // MARK: Reading

    /// The index entry for `id`, nil if there is none.
    /// - Throws: `QuarantineError.invalidID` for a string that is not a `MailID`.
    public func entry(_ id: String) throws -> QuarantineEntry? {
        try validate(id)
        return try indexed("read \(id)") {
            try database.read { db in try QuarantineIndex.fetch(id, in: db) }
        }
    }

    /// Entries matching `filter`, newest first.
    public func list(_ filter: QuarantineFilter = QuarantineFilter()) throws -> [QuarantineEntry] {
        try indexed("list") {
            try database.read { db in try QuarantineIndex.fetch(filter, in: db) }
        }
    }

    /// The quarantined message: its envelope as recorded in the file's header block and
    /// the original bytes, identical to what was stored. `Envelope.client` is not
    /// recorded and comes back empty.
    /// - Throws: `QuarantineError.notFound` without an index entry; `.io` if the file
    ///   cannot be read; `.corruptFile` if its header block is damaged or the message's
    ///   length differs from the indexed size.
    public func load(_ id: String) throws -> (envelope: Envelope, message: [UInt8]) {
        guard let entry = try entry(id) else { throw QuarantineError.notFound(id) }
        let path = try messagePath(id: id, category: entry.category)
        let file = try QuarantineError.mappingIO { try DurableFile.contents(of: path) }
        let parsed = try EnvelopeHeaderBlock.parse(file, mailID: id, path: path)
        let length = file.count - parsed.bodyStart
        guard length == entry.size else {
            throw QuarantineError.corruptFile(
                path: path, reason: "message is \(length) bytes, the index says \(entry.size)")
        }
        return (parsed.envelope, Array(file[parsed.bodyStart...]))
    }

    /// Count and original bytes per category (every category present, zero when empty),
    /// over all entries or those quarantined at or after `since`.
    public func stats(since: Date? = nil) throws -> [QuarantineCategory: QuarantineStats] {
        try indexed("stats") {
            try database.read { db in try QuarantineIndex.stats(since: since, in: db) }
        }
    }

    /// Where the file of message `id` in `category` is (or would be) stored.
    /// - Throws: `QuarantineError.invalidID` for a string that is not a `MailID`.
    public func messagePath(id: String, category: QuarantineCategory) throws -> String {
        try validate(id)
        return "\(directory)/\(category.filePrefix)-\(id)"
    }

    // MARK: Internals shared with the extensions

    /// Refuses anything that is not a `MailID` before it gets near a path.
    func validate(_ id: String) throws {
        guard MailID.isWellFormed(id) else { throw QuarantineError.invalidID(id) }
    }

    /// Runs `body`, turning GRDB's errors into `QuarantineError.index`.
    func indexed<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as QuarantineError {
            throw error
        } catch {
            throw QuarantineError.index(operation: operation, underlying: error)
        }
    }

    /// The index, for the extensions of this class.
    var pool: DatabasePool { database }
}
