#if canImport(Glibc)
import Glibc
#endif

/// A log file Moat appends to: the stream of a `StreamLogHandler`, so its lines have the
/// shape of the standard-error ones (`2026-12-07T15:59:39+0000 info moat: [Filter] message`).
///
/// logrotate's default (`create`) renames the file and creates an empty one; Moat keeps
/// writing to the renamed file until `reopen()` (on SIGUSR1, from logrotate's
/// `postrotate`), then continues in the new one. A line is written whole to one file or
/// the other, under the same lock as the swap, so none is lost or split.
public final class LogFile: TextOutputStream, @unchecked Sendable {
    public let path: String
    // @unchecked: the descriptor is only read or replaced while holding this lock.
    private let descriptor: Locked<Int32>

    /// Opens (creating) `path` for appending; the process umask sets the mode of a new file.
    public init(path: String) throws(SystemCallError) {
        self.path = path
        descriptor = Locked(try Self.open(path))
    }

    deinit {
        descriptor.withLock { _ = close($0) }
    }

    /// Opens `path` afresh and writes from now on to whatever file now has that name; on
    /// failure keeps writing to the file it had.
    public func reopen() throws(SystemCallError) {
        let fresh = try Self.open(path)
        descriptor.withLock { fd in
            close(fd)
            fd = fresh
        }
    }

    /// Appends `string` (one whole line from `StreamLogHandler`) in a single locked write.
    public func write(_ string: String) {
        let bytes = Array(string.utf8)
        let failure = descriptor.withLock { writeAll(bytes, to: $0) }
        if failure != nil {
            // A full disk or a revoked file: standard error (the journal under systemd) is
            // the last place the line can still reach.
            _ = writeAll(bytes, to: 2)
        }
    }

    private static func open(_ path: String) throws(SystemCallError) -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0o640)
        guard fd >= 0 else { throw SystemCallError(operation: "open", path: path, errno: errno) }
        return fd
    }
}
