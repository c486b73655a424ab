import Foundation
import MoatCore
import Queue

/// Every place `moat serve` keeps state, with the key that puts it there: one list for the
/// start-up check that each can be written (`StartupValidation`) and for the hand-over of
/// what start-up created as root to the service account (`ServicePrivileges`).
/// `make install` creates the same directories and the unit's `ReadWritePaths` opens them.
struct StateLocation {
    enum Kind {
        case directory
        /// A SQLite database: its directory must be writable, and its journals go with it.
        case database
        /// A plain file: its directory must be writable.
        case file
    }

    let section: String
    let key: String
    let path: String
    let kind: Kind
    /// Used with this configuration (the Bayes database only with `[bayes] enabled`, the
    /// MX's state only with `[mx] enabled`); ones that are not are still handed over when
    /// they exist.
    let inUse: Bool

    static func all(_ config: MoatConfig) -> [StateLocation] {
        let storage = config.storage
        let mx = config.mx.enabled
        return [
            StateLocation(section: "storage", key: "data_dir", path: storage.dataDir, kind: .directory, inUse: true),
            StateLocation(section: "storage", key: "data_dir", path: storage.pidFile, kind: .file, inUse: true),
            StateLocation(section: "storage", key: "data_dir", path: storage.queueDirectory, kind: .directory, inUse: mx),
        ] + Spool.subdirectories.map {
            StateLocation(section: "storage", key: "data_dir", path: "\(storage.queueDirectory)/\($0)", kind: .directory,
                          inUse: false)
        } + [
            StateLocation(section: "storage", key: "data_dir", path: storage.mailRoot, kind: .directory, inUse: mx),
            StateLocation(section: "storage", key: "data_dir", path: storage.directoryDatabase, kind: .database, inUse: false),
            StateLocation(section: "quarantine", key: "directory", path: config.quarantine.directory, kind: .directory,
                          inUse: true),
            StateLocation(section: "quarantine", key: "index", path: config.quarantine.index, kind: .database, inUse: true),
            StateLocation(section: "bayes", key: "database", path: config.bayes.database, kind: .database,
                          inUse: config.bayes.enabled),
            // Created at a user's first lesson (`moat learn --user` run as root makes it root's):
            // handed over when it exists, its writability that of `database`'s directory.
            StateLocation(section: "bayes", key: "per_user", path: config.bayes.userDirectory, kind: .directory,
                          inUse: false),
            StateLocation(section: "spam", key: "cache_directory", path: config.spam.cacheDirectory, kind: .directory,
                          inUse: true),
        ]
    }

    /// The directory that must be writable for this location.
    var directory: String {
        kind == .directory ? path : (path as NSString).deletingLastPathComponent
    }

    /// The paths start-up may have created: a database with its journals.
    var createdPaths: [String] {
        kind == .database ? [path] + ["-wal", "-shm", "-journal"].map { path + $0 } : [path]
    }
}
