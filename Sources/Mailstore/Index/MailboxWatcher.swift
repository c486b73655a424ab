import MoatCore

/// Tells a selected mailbox's owner that its `new/` or `cur/` changed (a delivery, another
/// reader's flag rename or expunge), through Linux inotify, so IDLE can report it within
/// a second: wait with `waitForChange(timeout:)` on a blocking thread, or poll
/// `fileDescriptor` for readability and then call `drain()`. Then call `sync()` on the
/// mailbox. Without a watcher (a mailbox not selected) `IndexedMailbox.sync` rescans
/// when the directory mtimes changed.
public final class MailboxWatcher: Sendable {
    /// Readable when a change is pending.
    public let fileDescriptor: Int32

    /// Watches `directory`'s `new/` and `cur/` (creates, moves, deletes).
    /// - Throws: `MailboxError.io` (e.g. `EMFILE` when out of inotify instances).
    public init(directory: String) throws {
        #if os(Linux)
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw MailboxError.io(operation: "inotify_init1", path: directory, errno: errno) }
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE)
        for sub in ["new", "cur"] where inotify_add_watch(fd, "\(directory)/\(sub)", mask) < 0 {
            let code = errno
            close(fd)
            throw MailboxError.io(operation: "inotify_add_watch", path: "\(directory)/\(sub)", errno: code)
        }
        fileDescriptor = fd
        #else
        throw MailboxError.io(operation: "inotify_init1", path: directory, errno: ENOSYS)
        #endif
    }

    deinit { close(fileDescriptor) }

    /// Blocks until something changed or `timeout` seconds pass; true if something
    /// changed (the pending events are consumed).
    public func waitForChange(timeout: Double) -> Bool {
        var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(max(0, min(timeout, Double(Int32.max) / 1000)) * 1000)
        while true {
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return false }
            return drain()
        }
    }

    /// Reads and discards pending events; true if there were any.
    @discardableResult
    public func drain() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var any = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                any = true
                continue
            }
            if count < 0 && errno == EINTR { continue }
            return any
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
