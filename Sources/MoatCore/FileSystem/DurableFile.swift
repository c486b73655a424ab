#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX file operations behind every store that must not lose a file (quarantine,
/// Maildir), with the durability rules in one place: write to a temporary name, `fsync`
/// it, give it its final name, `fsync` the directory. Every call retries on `EINTR`;
/// writes loop over short writes. Errors are `SystemCallError`.
public enum DurableFile {
    /// How `create` gives the temporary file its final name.
    public enum Publish: Sendable {
        /// link(2) then unlink: fails with `EEXIST` rather than replace a file, as qmail's
        /// Maildir delivery does. For messages, whose names are unique.
        case neverReplace
        /// rename(2) over any existing file, atomically. For state files rewritten whole
        /// (Maildir++ `maildirsize`).
        case replace
    }

    /// Whether a path exists and what it is, from stat(2) (symbolic links followed).
    public struct Status: Sendable, Equatable {
        public var size: Int64
        /// Modification time in Unix seconds, with the file system's sub-second precision.
        public var modified: Double
        public var isDirectory: Bool
    }

    /// Creates `path` and any missing parents with `mode` (like `mkdir -p`). Existing
    /// directories keep their permissions. Each directory it creates is made durable by
    /// an `fsync` of its parent, so a crash cannot lose a directory a file was then
    /// acknowledged in.
    ///
    /// - Returns: true if `path` itself was created by this call (not by a concurrent one).
    @discardableResult
    public static func makeDirectories(_ path: String, mode: mode_t) throws -> Bool {
        guard !path.isEmpty else { return false }
        if let existing = try status(of: path) {
            guard existing.isDirectory else {
                throw SystemCallError(operation: "mkdir", path: path, errno: ENOTDIR)
            }
            return false
        }
        let parent = parentDirectory(of: path)
        if parent != path { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 {
            let code = errno
            // A concurrent delivery created it first: fine if it is a directory.
            if code == EEXIST, try status(of: path)?.isDirectory == true { return false }
            throw SystemCallError(operation: "mkdir", path: path, errno: code)
        }
        try syncDirectory(parent)
        return true
    }

    /// Creates an empty `path` with `mode` unless it exists (existing files keep their
    /// permissions). For SQLite databases: SQLite creates its `-wal` and `-shm` files with
    /// the main file's mode, so a database made here 0600 keeps its journal 0600 too,
    /// whatever the process umask.
    public static func makeFile(_ path: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        if fd < 0 {
            let code = errno
            if code == EEXIST { return }
            throw SystemCallError(operation: "open", path: path, errno: code)
        }
        // The umask can only clear bits of `mode`, never add any.
        close(fd)
    }

    /// Writes `chunks` in order to a new file `path`, durably: when this returns, the bytes
    /// and the directory entry are on disk.
    ///
    /// - Parameters:
    ///   - temporaryPath: a unique name on the same file system (Maildir's `tmp/`, or the
    ///     same directory); created with `O_EXCL`, never left behind.
    ///   - publish: whether an existing `path` is an error (`.neverReplace`) or replaced.
    ///   - permissions: owner, group and mode set on the file before it is published
    ///     (nil: `mode` as the umask leaves it, owned by this process).
    /// - Throws: `SystemCallError` with `EEXIST` if `path` already exists under
    ///   `.neverReplace` (it is left untouched), or for any failing system call (nothing is
    ///   left behind).
    public static func create(_ path: String, temporaryPath: String, chunks: [[UInt8]],
                              mode: mode_t = 0o600, publish: Publish = .neverReplace,
                              permissions: FilePermissions? = nil) throws {
        let fd = try retrying("open", temporaryPath) {
            open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        }
        do {
            try permissions?.apply(fd: fd, path: temporaryPath)
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
        switch publish {
        case .neverReplace:
            defer { unlink(temporaryPath) }
            try linkWithoutReplacing(temporaryPath, to: path)
        case .replace:
            if posixRename(temporaryPath, path) != 0 {
                let code = errno
                unlink(temporaryPath)
                throw SystemCallError(operation: "rename", path: path, errno: code)
            }
        }
        do {
            try syncDirectory(parentDirectory(of: path))
        } catch {
            // A new name is withdrawn so the caller can retry; a replaced file is kept,
            // since the old content it replaced is gone either way.
            if publish == .neverReplace { unlink(path) }
            throw error
        }
    }

    /// Appends `bytes` to the existing file `path` in one write(2) with `O_APPEND`, so
    /// concurrent appenders never overwrite each other's lines (on a local file system).
    /// Not fsync'ed: for advisory state that a later recalculation can repair.
    ///
    /// - Returns: false if `path` does not exist (it is not created).
    @discardableResult
    public static func append(_ bytes: [UInt8], to path: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return false }
            throw SystemCallError(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        try writeAll(fd, bytes, path: path)
        return true
    }

    /// The whole content of `path`.
    public static func contents(of path: String) throws -> [UInt8] {
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

    /// Gives `source` the name `target` (rename(2), replacing any file there) and makes
    /// both directory entries durable: the target's directory first, so a crash can leave
    /// the file under both names for a moment but never under neither.
    ///
    /// - Returns: false if `source` did not exist.
    @discardableResult
    public static func rename(_ source: String, to target: String) throws -> Bool {
        if posixRename(source, target) != 0 {
            if errno == ENOENT, try status(of: source) == nil { return false }
            throw SystemCallError(operation: "rename", path: target, errno: errno)
        }
        try syncDirectory(parentDirectory(of: target))
        let sourceDirectory = parentDirectory(of: source)
        if sourceDirectory != parentDirectory(of: target) { try syncDirectory(sourceDirectory) }
        return true
    }

    /// Removes `path`; false if it did not exist.
    @discardableResult
    public static func remove(_ path: String) throws -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw SystemCallError(operation: "unlink", path: path, errno: errno)
    }

    /// Flushes a directory's entries (a new or renamed file's name) to disk.
    public static func syncDirectory(_ path: String) throws {
        let fd = try retrying("open", path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        _ = try retrying("fsync", path) { fsync(fd) }
    }

    /// The names in directory `path`, without `.` and `..`.
    public static func entries(of path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw SystemCallError(operation: "opendir", path: path, errno: errno)
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

    /// Modification time of `path` (the link itself, not its target) in Unix seconds, nil
    /// if it does not exist.
    public static func modificationTime(_ path: String) -> Double? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Status(info).modified
    }

    /// The wall clock in Unix seconds, on the same scale as `Status.modified`.
    public static func currentTime() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// What stat(2) says about `path`; nil if it does not exist.
    public static func status(of path: String) throws -> Status? {
        var info = stat()
        if stat(path, &info) == 0 { return Status(info) }
        if errno == ENOENT { return nil }
        throw SystemCallError(operation: "stat", path: path, errno: errno)
    }

    /// `/a/b` for `/a/b/c`, `.` for `c`, `/` for `/c`.
    public static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    // MARK: Private

    /// Gives `source` the additional name `target`, failing with `EEXIST` rather than
    /// replacing a file (link(2), as qmail's Maildir delivery does). On file systems
    /// without hard links, falls back to an existence check and rename(2).
    private static func linkWithoutReplacing(_ source: String, to target: String) throws {
        if link(source, target) == 0 { return }
        let code = errno
        switch code {
        case EPERM, ENOTSUP, EOPNOTSUPP, ENOSYS, EMLINK:
            if try status(of: target) != nil {
                throw SystemCallError(operation: "rename", path: target, errno: EEXIST)
            }
            if posixRename(source, target) != 0 {
                throw SystemCallError(operation: "rename", path: target, errno: errno)
            }
        default:
            throw SystemCallError(operation: "link", path: target, errno: code)
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
    /// `SystemCallError`.
    private static func retrying<T: BinaryInteger>(_ operation: String, _ path: String,
                                                   _ call: () -> T) throws -> T {
        while true {
            let result = call()
            if result >= 0 { return result }
            if errno == EINTR { continue }
            throw SystemCallError(operation: operation, path: path, errno: errno)
        }
    }
}

extension DurableFile.Status {
    init(_ info: stat) {
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        self.init(size: Int64(info.st_size),
                  modified: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9,
                  isDirectory: (info.st_mode & S_IFMT) == S_IFDIR)
    }
}

/// rename(2), reachable from inside `DurableFile`, whose own `rename` hides the C function.
private func posixRename(_ source: String, _ target: String) -> Int32 {
    rename(source, target)
}
