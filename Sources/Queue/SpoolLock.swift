#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MoatCore

/// The spool-wide lock: flock(2) on `<queue>/lock`, held while an envelope is moved,
/// rewritten or removed, so the scheduler and `moat queue hold|release|delete` in another
/// process never act on a file the other is replacing. flock locks belong to the open file
/// description, so two holders in one process exclude each other too. Enqueueing takes no
/// lock: it only creates new, uniquely named files.
struct SpoolLock {
    let path: String

    /// Runs `body` with the lock held; the lock is released however `body` ends.
    @discardableResult
    func withLock<T>(_ body: () throws(QueueError) -> T) throws(QueueError) -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(SystemCallError(operation: "open", path: path, errno: errno)) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw .io(SystemCallError(operation: "flock", path: path, errno: errno)) }
        }
        // close(2) releases the lock.
        return try body()
    }
}
