import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether this process can write into a directory Moat keeps state in, found out the only
/// reliable way: by creating and removing a probe file there (permission bits, ACLs,
/// read-only mounts and systemd's ProtectSystem all answer the same way). A directory that
/// does not exist yet is judged by the nearest existing parent, where serve will create it;
/// nothing is created or left behind.
enum WritableDirectory {
    /// nil when `path` is (or can be created as) a writable directory; else why not.
    static func problem(_ path: String) -> String? {
        var existing = path
        var missing = false
        while !exists(existing) {
            let parent = (existing as NSString).deletingLastPathComponent
            missing = true
            // A relative path (text parsed without a file) ends at the working directory.
            existing = parent.isEmpty ? "." : parent
            if parent.isEmpty || parent == "/" { break }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: existing, isDirectory: &isDirectory), isDirectory.boolValue else {
            return missing ? "cannot be created: \(existing) is not a directory" : "is not a directory"
        }
        guard let failure = probe(existing) else { return nil }
        return missing ? "cannot be created in \(existing): \(failure)" : "cannot write: \(failure)"
    }

    /// Creates and removes a file in `directory`; the error text when either fails.
    private static func probe(_ directory: String) -> String? {
        let name = "\(directory)/.moat-write-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        close(fd)
        guard unlink(name) == 0 else { return String(cString: strerror(errno)) }
        return nil
    }

    /// lstat, so a dangling symbolic link counts as present (and then fails as not a directory).
    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}
