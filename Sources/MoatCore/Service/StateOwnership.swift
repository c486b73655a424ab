#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Hands what `moat serve` created as root before it dropped privileges (queue
/// directories, SQLite databases and their journals, the rule cache) to the service
/// account, so it can still write them afterwards.
///
/// Only entries owned by root whose parent directory already belongs to the account, and
/// which are not a hard link, are taken over (and, below a directory taken over, its root-owned contents): the directories
/// themselves are the installer's to create (`make install`), so a `data_dir = "/var"`
/// typo can never make Moat chown a system directory.
public enum StateOwnership {
    /// - Parameter paths: the state paths from the config, parents before children;
    ///   missing ones are skipped.
    /// - Returns: the paths it changed.
    /// - Throws: `SystemCallError` for a failing `lchown`.
    @discardableResult
    public static func adopt(_ paths: [String], for account: ServiceAccount) throws(SystemCallError) -> [String] {
        var changed: [String] = []
        for path in paths { try adopt(path, account: account, parentIsOurs: nil, changed: &changed) }
        return changed
    }

    private static func adopt(_ path: String, account: ServiceAccount, parentIsOurs: Bool?,
                              changed: inout [String]) throws(SystemCallError) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_uid == 0, account.uid != 0 else { return }
        // A second name of a root file (a hard link planted where a journal will be made)
        // must not hand that file over; symlinks are never followed (lchown).
        if info.st_mode & S_IFMT != S_IFDIR, info.st_nlink > 1 { return }
        let ours = parentIsOurs ?? {
            var parent = stat()
            return stat(DurableFile.parentDirectory(of: path), &parent) == 0 && parent.st_uid == account.uid
        }()
        guard ours else { return }
        if lchown(path, account.uid, account.gid) != 0 {
            throw SystemCallError(operation: "lchown", path: path, errno: errno)
        }
        changed.append(path)
        guard info.st_mode & S_IFMT == S_IFDIR, let dir = opendir(path) else { return }
        var children: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { children.append("\(path)/\(name)") }
        }
        closedir(dir)
        for child in children { try adopt(child, account: account, parentIsOurs: true, changed: &changed) }
    }
}
