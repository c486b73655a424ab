import Foundation
import MoatCore

/// Why a user's token database could not be opened.
public enum BayesUserDatabaseError: Error, CustomStringConvertible, Equatable {
    /// The user name is empty.
    case noUser
    /// The directory or the file could not be created with owner-only permissions.
    case create(path: String, reason: String)
    /// SQLite refused the file.
    case open(path: String, reason: String)

    public var description: String {
        switch self {
        case .noUser: "per-user Bayes: no user name"
        case .create(let path, let reason): "per-user Bayes: cannot create \(path): \(reason)"
        case .open(let path, let reason): "per-user Bayes: cannot open \(path): \(reason)"
        }
    }
}

/// Every user's own Bayes database (`[bayes] per_user`): one SQLite file per user in
/// `BayesSettings.userDirectory` (mode 0700), named by ``BayesUserFileName``, created
/// with mode 0600 on the first lesson. At most `capacity` databases stay open (least
/// recently used closed first): a site with thousands of users does not hold thousands
/// of SQLite handles. Safe from any thread.
public final class BayesUserDatabases: Sendable {
    /// Open handles kept by default, as many as a busy MX classifies for at once and then some.
    public static let defaultCapacity = 64

    public let settings: BayesSettings
    private let open: Locked<LRUCache<String, BayesFilter>>

    public init(settings: BayesSettings, capacity: Int = defaultCapacity) {
        self.settings = settings
        open = Locked(LRUCache(capacity: capacity))
    }

    /// How many databases are open now.
    public var openCount: Int { open.withLock { $0.count } }

    /// Where `user`'s database lives (whether or not it exists yet).
    public func path(for user: String) throws(BayesUserDatabaseError) -> String {
        guard let name = BayesUserFileName.of(user) else { throw .noUser }
        return (settings.userDirectory as NSString).appendingPathComponent(name)
    }

    /// `user`'s filter, its database created on first use (a lesson).
    public func filter(for user: String) throws(BayesUserDatabaseError) -> BayesFilter {
        // Never nil when creating.
        try filter(for: user, creating: true)!
    }

    /// `user`'s filter when the user has a database; nil when never taught (classification
    /// then falls back to the site's database, and no file is created).
    public func existingFilter(for user: String) throws(BayesUserDatabaseError) -> BayesFilter? {
        try filter(for: user, creating: false)
    }

    private func filter(for user: String, creating: Bool) throws(BayesUserDatabaseError) -> BayesFilter? {
        let path = try path(for: user)
        if let cached = open.withLock({ $0.value(for: path) }) { return cached }
        if !FileManager.default.fileExists(atPath: path) {
            guard creating else { return nil }
            try Self.createOwnerOnly(path, directory: settings.userDirectory)
        }
        // Opened outside the lock (SQLite file I/O); a racing opener's handle wins and this one closes.
        let filter: BayesFilter
        do {
            var settings = settings
            settings.database = path
            filter = try BayesFilter(settings: settings)
        } catch {
            throw .open(path: path, reason: "\(error)")
        }
        return open.withLock { cache in
            if let raced = cache.value(for: path) { return raced }
            cache.insert(filter, for: path)
            return filter
        }
    }

    /// Creates the directory (0700) and an empty file (0600): SQLite gives its `-wal` and
    /// `-shm` files the database file's mode, so no token of a user is readable by others.
    static func createOwnerOnly(_ path: String, directory: String) throws(BayesUserDatabaseError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .create(path: directory, reason: error.localizedDescription)
        }
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 {
            guard errno == EEXIST else { throw .create(path: path, reason: String(cString: strerror(errno))) }
            return
        }
        close(fd)
    }
}
