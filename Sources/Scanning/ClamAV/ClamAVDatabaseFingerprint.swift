import Foundation

/// What the database paths looked like when an engine was loaded: for each configured
/// path, its existence and mtime, and for directories every entry's name, size and mtime.
///
/// Two fingerprints differ when freshclam (or an admin) adds, removes, replaces or
/// touches a database. We stat ourselves instead of `cl_statchkdir` because that only
/// watches directories, while Moat also accepts single database files.
struct ClamAVDatabaseFingerprint: Equatable, Sendable {
    struct Entry: Equatable, Sendable {
        var path: String
        var exists: Bool
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    private(set) var entries: [Entry] = []

    /// Takes a fingerprint now. Never fails: unreadable paths are recorded as missing.
    static func take(of paths: [String]) -> ClamAVDatabaseFingerprint {
        var fingerprint = ClamAVDatabaseFingerprint()
        for path in paths {
            let top = entry(for: path)
            fingerprint.entries.append(top)
            guard top.exists, isDirectory(path) else { continue }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            for name in names.sorted() {
                fingerprint.entries.append(entry(for: path + "/" + name))
            }
        }
        return fingerprint
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func entry(for path: String) -> Entry {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return Entry(path: path, exists: false, size: 0, modifiedSeconds: 0, modifiedNanoseconds: 0)
        }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        return Entry(
            path: path, exists: true, size: Int64(info.st_size),
            modifiedSeconds: Int(modified.tv_sec), modifiedNanoseconds: Int(modified.tv_nsec))
    }
}
