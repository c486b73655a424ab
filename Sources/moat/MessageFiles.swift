import MoatCore
#if canImport(Glibc)
import Glibc
#endif

/// The message files named on a `learn` or `scan` command line: files as given, every
/// regular file below a directory (sorted, dot-files skipped), or a Maildir's `cur/` and
/// `new/`. Symbolic links named on the line are followed; those met while walking are
/// not, so a link cannot make a walk loop. A path that cannot be read is a problem with
/// its reason, never silently left out.
struct MessageFiles {
    var files: [String] = []
    /// `open /x: Permission denied (errno 13)`, one per unreadable path.
    var problems: [String] = []

    init(_ paths: [String]) {
        for path in paths { add(path) }
    }

    /// Files taken as they are (`-` for standard input).
    init(files: [String]) {
        self.files = files
    }

    private mutating func add(_ path: String) {
        let status: DurableFile.Status?
        do {
            status = try DurableFile.status(of: path)
        } catch {
            problems.append("\(error)")
            return
        }
        guard let status else {
            problems.append("\(path): no such file or directory")
            return
        }
        guard status.isDirectory else {
            files.append(Self.target(of: path))
            return
        }
        let maildir = ["cur", "new"].map { "\(path)/\($0)" }
        let roots = maildir.contains { (try? DurableFile.status(of: $0))?.isDirectory == true } ? maildir : [path]
        for root in roots {
            var found: [String] = []
            walk(root, into: &found)
            files += found.sorted()
        }
    }

    private mutating func walk(_ directory: String, into found: inout [String]) {
        let names: [String]
        do {
            names = try DurableFile.entries(of: directory)
        } catch {
            problems.append("\(error)")
            return
        }
        for name in names where !name.hasPrefix(".") {
            let path = "\(directory)/\(name)"
            var info = stat()
            guard lstat(path, &info) == 0 else {
                problems.append("\(SystemCallError(operation: "lstat", path: path, errno: errno))")
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG: found.append(path)
            case S_IFDIR: walk(path, into: &found)
            default: continue
            }
        }
    }

    /// The file a link named on the command line points to (messages are read without
    /// following links); the path itself otherwise.
    private static func target(of path: String) -> String {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK,
              let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
