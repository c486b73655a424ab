#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX file operations behind the quarantine, with the durability rules in one
/// place: write to a temporary name in the same directory, `fsync` it, give it its final
/// name without ever replacing an existing file, `fsync` the directory. Every call retries
/// on `EINTR`; writes loop over short writes. Errors are `QuarantineError.io`.
enum DurableFile {
    /// Creates `path` and any missing parents with `mode` (like `mkdir -p`). Existing
    /// directories keep their permissions.
    static func makeDirectories(_ path: String, mode: mode_t) throws {
        guard !path.isEmpty else { return }
        var isDir = false
        if exists(path, isDirectory: &isDir) {
            guard isDir else { throw QuarantineError.io(operation: "mkdir", path: path, errno: ENOTDIR) }
            return
        }
        let parent = parentDirectory(of: path)
        if parent != path { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw QuarantineError.io(operation: "mkdir", path: path, errno: errno)
        }
    }

    /// Writes `chunks` in order to a new file `path`, durably: when this returns, the bytes
    /// and the directory entry are on disk.
    ///
    /// - Parameter temporaryPath: a unique name in the same directory; removed on return.
    /// - Throws: `QuarantineError.io` with `EEXIST` if `path` already exists (it is left
    ///   untouched), or for any failing system call (nothing is left behind).
    static func create(_ path: String, temporaryPath: String, chunks: [[UInt8]],
                       mode: mode_t = 0o600) throws {
        let fd = try retrying("open", temporaryPath) {
            open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        }
        do {
            for chunk in chunks { try writeAll(fd, chunk, path: temporaryPath) }
            _ = try retrying("fsync", temporaryPath) { fsync(fd) }
        } catch {
            close(fd)
            unlink(temporaryPath)
            throw error
        }
        // close(2) after a successful fsync cannot lose data; on Linux it must not be
        // retried after EINTR, so its result is deliberately ignored.
        close(fd)
        defer { unlink(temporaryPath) }
        try linkWithoutReplacing(temporaryPath, to: path)
        do {
            try syncDirectory(parentDirectory(of: path))
        } catch {
            unlink(path)
            throw error
        }
    }

    /// The whole content of `path`.
    static func contents(of path: String) throws -> [UInt8] {
        let fd = try retrying("open", path) { open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        defer { close(fd) }
        var info = stat()
        _ = try retrying("fstat", path) { fstat(fd, &info) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size) + 1)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = try buffer.withUnsafeMutableBytes { raw in
                try retrying("read", path) { read(fd, raw.baseAddress, raw.count) }
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[0..<count])
        }
    }

    /// Removes `path`; false if it did not exist.
    @discardableResult
    static func remove(_ path: String) throws -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw QuarantineError.io(operation: "unlink", path: path, errno: errno)
    }

    /// Flushes a directory's entries (a new or renamed file's name) to disk.
    static func syncDirectory(_ path: String) throws {
        let fd = try retrying("open", path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        _ = try retrying("fsync", path) { fsync(fd) }
    }

    /// The names in directory `path`, without `.` and `..`.
    static func entries(of path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw QuarantineError.io(operation: "opendir", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Modification time of `path` in Unix seconds, nil if it does not exist.
    static func modificationTime(_ path: String) -> Double? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        return Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
        #else
        return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        #endif
    }

    /// `/a/b` for `/a/b/c`, `.` for `c`, `/` for `/c`.
    static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    // MARK: Private

    private static func exists(_ path: String, isDirectory: inout Bool) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        return true
    }

    /// Gives `source` the additional name `target`, failing with `EEXIST` rather than
    /// replacing a file (link(2), as qmail's Maildir delivery does). On file systems
    /// without hard links, falls back to an existence check and rename(2).
    private static func linkWithoutReplacing(_ source: String, to target: String) throws {
        if link(source, target) == 0 { return }
        let code = errno
        switch code {
        case EPERM, ENOTSUP, EOPNOTSUPP, ENOSYS, EMLINK:
            var isDir = false
            if exists(target, isDirectory: &isDir) {
                throw QuarantineError.io(operation: "rename", path: target, errno: EEXIST)
            }
            if rename(source, target) != 0 {
                throw QuarantineError.io(operation: "rename", path: target, errno: errno)
            }
        default:
            throw QuarantineError.io(operation: "link", path: target, errno: code)
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = try retrying("write", path) {
                    write(fd, raw.baseAddress! + offset, raw.count - offset)
                }
                offset += written
            }
        }
    }

    /// Runs `call` until it does not fail with `EINTR`; a negative result becomes
    /// `QuarantineError.io`.
    private static func retrying<T: BinaryInteger>(_ operation: String, _ path: String,
                                                   _ call: () -> T) throws -> T {
        while true {
            let result = call()
            if result >= 0 { return result }
            if errno == EINTR { continue }
            throw QuarantineError.io(operation: operation, path: path, errno: errno)
        }
    }
}
