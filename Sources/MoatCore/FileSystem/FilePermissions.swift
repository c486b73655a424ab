#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Owner, group and mode a file or directory must end up with, whatever the umask (Moat
/// runs with 077) made of its creation mode. Used where another program must read what
/// Moat writes: Maildirs for Dovecot.
public struct FilePermissions: Sendable, Hashable {
    /// nil: leave as created (the process's own uid / gid).
    public var owner: uid_t?
    public var group: gid_t?
    public var mode: mode_t

    public init(owner: uid_t? = nil, group: gid_t? = nil, mode: mode_t) {
        self.owner = owner
        self.group = group
        self.mode = mode
    }

    /// The same for a regular file inside a directory with these permissions: no execute bits.
    public var forFiles: FilePermissions {
        FilePermissions(owner: owner, group: group, mode: mode & 0o666)
    }

    /// Applies them to an open file (before it is published under its final name, so no
    /// reader ever sees it with the wrong ones).
    public func apply(fd: Int32, path: String) throws(SystemCallError) {
        if owner != nil || group != nil, fchown(fd, owner ?? uid_t.max, group ?? gid_t.max) != 0 {
            throw SystemCallError(operation: "fchown", path: path, errno: errno)
        }
        if fchmod(fd, mode) != 0 { throw SystemCallError(operation: "fchmod", path: path, errno: errno) }
    }

    /// Applies them to `path` (a directory just created); symlinks are not followed.
    public func apply(path: String) throws(SystemCallError) {
        if owner != nil || group != nil, lchown(path, owner ?? uid_t.max, group ?? gid_t.max) != 0 {
            throw SystemCallError(operation: "lchown", path: path, errno: errno)
        }
        // fchmodat with AT_SYMLINK_NOFOLLOW: a symlink planted at `path` gets ENOTSUP,
        // where chmod would change whatever it points to.
        if fchmodat(AT_FDCWD, path, mode, AT_SYMLINK_NOFOLLOW) != 0 {
            throw SystemCallError(operation: "fchmodat", path: path, errno: errno)
        }
    }
}
