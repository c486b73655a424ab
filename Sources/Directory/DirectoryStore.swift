import Foundation
import GRDB
import MoatCore

/// The virtual-domain directory: domains, mailboxes, aliases and passwords in one SQLite
/// file, shaped like Postfix Admin's tables (see `DirectorySchema`).
///
/// **Deleting.** As in Postfix Admin, the rows of a domain go with it, but only when
/// asked: `deleteDomain(_:force:)` refuses a domain that still has mailboxes or aliases
/// unless `force` is set. Deleting a mailbox also deletes the aliases *of* that address
/// (its forwarding, which Postfix Admin keeps in the mailbox's own alias row); aliases
/// elsewhere that point *to* it stay, and then reject as unknown users. Maildirs on disk
/// are never removed here.
///
/// **Concurrency.** Safe to share between tasks, threads and processes (the server and
/// `moat user …`): a GRDB `DatabasePool` in WAL mode with a busy timeout. Methods block
/// on disk I/O.
public final class DirectoryStore: Sendable {
    /// The SQLite file.
    public let path: String
    let database: DatabasePool

    /// Opens (creating if needed) the directory at `path`, normally
    /// `StorageSettings.directoryDatabase`, and migrates its schema.
    ///
    /// A missing parent directory is created with mode 0700, and the file is made 0600:
    /// it holds password hashes.
    /// - Throws: `DirectoryError.database` when the file cannot be opened or migrated.
    public init(path: String) throws(DirectoryError) {
        self.path = path
        let parent = (path as NSString).deletingLastPathComponent
        do {
            if !parent.isEmpty {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            }
            // Made 0600 before SQLite opens it, so its -wal and -shm are 0600 from the start.
            try DurableFile.makeFile(path, mode: 0o600)
            var configuration = Configuration()
            configuration.label = "moat.directory"
            configuration.busyMode = .timeout(10)
            database = try DatabasePool(path: path, configuration: configuration)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            try DirectorySchema.migrator.migrate(database)
        } catch {
            throw .database(operation: "open \(path)", underlying: "\(error)")
        }
    }

    /// The migrations applied so far, oldest first (`["v1: domain, mailbox, alias"]`).
    public func appliedMigrations() throws(DirectoryError) -> [String] {
        try read("read migrations") { try DirectorySchema.migrator.appliedMigrations($0) }
    }

    // MARK: Transactions

    /// Runs `body` in a write transaction.
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(DirectoryError) -> T {
        try mapped(operation) { try database.write(body) }
    }

    /// Runs `body` on one consistent snapshot.
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(DirectoryError) -> T {
        try mapped(operation) { try database.read(body) }
    }

    /// DirectoryErrors thrown by `body` pass through; anything else (SQLite) becomes
    /// `.database(operation:…)`.
    private func mapped<T>(_ operation: String, _ body: () throws -> T) throws(DirectoryError) -> T {
        do {
            return try body()
        } catch let error as DirectoryError {
            throw error
        } catch {
            throw .database(operation: operation, underlying: "\(error)")
        }
    }
}
