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
        do {
            return try FileLock.holding(path) { try body() }
        } catch let error as QueueError {
            throw error
        } catch let error as SystemCallError {
            throw .io(error)
        } catch {
            // Not reached: FileLock throws SystemCallError, body QueueError.
            throw .io(SystemCallError(operation: "flock", path: path, errno: EIO))
        }
    }
}
