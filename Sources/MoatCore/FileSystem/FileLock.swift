#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive flock(2) on a lock file, created (mode 0600) when missing. flock locks
/// belong to the open file description, so two holders in one process exclude each other
/// as two processes do; closing the descriptor releases the lock however `body` ends.
public enum FileLock {
    /// Runs `body` with the lock on `path` held.
    /// - Throws: `SystemCallError` when the lock file cannot be opened or locked, or what
    ///   `body` throws.
    public static func holding<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemCallError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw SystemCallError(operation: "flock", path: path, errno: errno) }
        }
        return try body()
    }
}
