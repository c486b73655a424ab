#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Free space of the file system holding a path, as an unprivileged process may use it
/// (statvfs `f_bavail`: the blocks reserved for root do not count, since Moat does not
/// write as root).
public struct FileSystemSpace: Sendable, Equatable {
    public var availableBytes: Int64

    public init(availableBytes: Int64) {
        self.availableBytes = availableBytes
    }

    /// The space of the file system `path` is on.
    public static func of(_ path: String) throws(SystemCallError) -> FileSystemSpace {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw SystemCallError(operation: "statvfs", path: path, errno: errno) }
        let block = Int64(info.f_frsize > 0 ? info.f_frsize : info.f_bsize)
        return FileSystemSpace(availableBytes: Int64(info.f_bavail) * block)
    }
}
