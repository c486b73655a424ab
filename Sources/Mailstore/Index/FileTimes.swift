import MoatCore

/// File operations DurableFile lacks that APPEND and COPY need.
enum FileTimes {
    /// Sets `path`'s mtime (the Maildir INTERNALDATE) and fsyncs the change.
    static func setModified(_ path: String, to seconds: Double) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw SystemCallError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        let whole = seconds.rounded(.down)
        var times = [timespec(tv_sec: Int(whole), tv_nsec: Int((seconds - whole) * 1e9)),
                     timespec(tv_sec: Int(whole), tv_nsec: Int((seconds - whole) * 1e9))]
        guard futimens(fd, &times) == 0 else { throw SystemCallError(operation: "futimens", path: path, errno: errno) }
        guard fsync(fd) == 0 else { throw SystemCallError(operation: "fsync", path: path, errno: errno) }
    }

    /// Gives `source` a second name `target` (a hard link, as Dovecot's Maildir COPY does:
    /// flags live in each name, so the copies stay independent), or copies the bytes
    /// durably where links are not possible; then fsyncs the target's directory.
    static func linkOrCopy(_ source: String, to target: String, scratch: String) throws {
        if link(source, target) == 0 {
            try DurableFile.syncDirectory(DurableFile.parentDirectory(of: target))
            return
        }
        let code = errno
        guard [EXDEV, EPERM, EMLINK, ENOTSUP].contains(code) else {
            throw SystemCallError(operation: "link", path: target, errno: code)
        }
        let bytes = try DurableFile.contents(of: source)
        let date = DurableFile.modificationTime(source)
        try DurableFile.create(target, temporaryPath: scratch, chunks: [bytes])
        if let date { try setModified(target, to: date) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
