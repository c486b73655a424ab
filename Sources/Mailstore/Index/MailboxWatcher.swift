import MoatCore

/// Tells a selected mailbox's owner that the folder changed, through Linux inotify, so IDLE
/// can report it within a second instead of polling: a delivery into `new/`, another
/// reader's flag rename or expunge in `cur/`, and any commit to the folder's index by another
/// session (an APPEND, a keyword that only the index holds, flags of a file left in `new/`).
/// `onChange` runs on the process's inotify thread, once per batch of events: it must only
/// hand the news on (resume a task, yield to a stream); the owner then calls
/// `IndexedMailbox.sync()`, which a burst of events wakes only once.
///
/// The owner's own index writes wake it too (a sync that moved mail writes the index): one
/// extra sync, which finds nothing and writes nothing, and the folder is quiet again.
///
/// `close()` (or the last reference going) gives the watches back. Without a watcher (a
/// mailbox not selected) `IndexedMailbox.sync` rescans when the directory mtimes changed.
public final class MailboxWatcher: Sendable {
    private let inotify: SharedInotify
    private let registration: Locked<SharedInotify.Registration?>

    /// Watches `mailbox`'s folder.
    /// - Throws: `MailboxError.io` when inotify is not there (`ENOSYS`), out of instances
    ///   (`EMFILE`) or out of watches (`ENOSPC`); the caller falls back to polling.
    public convenience init(mailbox: IndexedMailbox, onChange: @escaping @Sendable () -> Void) throws {
        try self.init(directory: mailbox.storage.directory, onChange: onChange)
    }

    /// Watches the folder at `directory` (with `new/` and `cur/`).
    public init(directory: String, onChange: @escaping @Sendable () -> Void) throws {
        inotify = try SharedInotify.shared()
        registration = Locked(try inotify.watch(Self.targets(directory), wake: onChange))
    }

    deinit { close() }

    /// Stops watching; idempotent.
    public func close() {
        guard let taken = registration.withLock({ current -> SharedInotify.Registration? in
            defer { current = nil }
            return current
        }) else { return }
        inotify.unwatch(taken)
    }

    /// Directories the process watches now, over all watchers (0 when inotify is unavailable).
    public static var watchedDirectoryCount: Int { (try? SharedInotify.shared().watchCount) ?? 0 }

    static func targets(_ directory: String) -> [SharedInotify.Target] {
        #if os(Linux)
        let gone = UInt32(IN_DELETE_SELF | IN_MOVE_SELF)
        let files = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE) | gone
        // The index is SQLite in WAL mode: every commit writes the -wal file.
        let index: Set<String> = [IndexSchema.fileName, IndexSchema.fileName + "-wal"]
        return [
            SharedInotify.Target(path: "\(directory)/new", mask: files),
            SharedInotify.Target(path: "\(directory)/cur", mask: files),
            SharedInotify.Target(path: directory, mask: UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO) | gone, names: index),
        ]
        #else
        return []
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
