/// The mtimes of a folder's `new/` and `cur/` as a sync left them, taken just before a
/// listing that found exactly the files the index names. A later look that finds the same
/// mtimes may skip its scan, but only once: until `FolderSync.mtimeSettleTime` has passed,
/// another writer's change in the same clock tick as the listing keeps the mtime, so the
/// index records no mtime for it and the look after that scans again and sees the change.
struct MaildirDirectoryState: Sendable, Equatable {
    var newMtime: Double
    var curMtime: Double
    /// Whether the sync moved `new/` to `cur/`: a read-only build's state does not spare a
    /// read-write open its moves.
    var movedNew: Bool

    /// The state of `directory` if listing `new/` and `cur/` gives exactly `expected`
    /// ("cur/name", "new/name"); nil when another writer changed them meanwhile.
    static func matching(_ expected: Set<String>, in directory: String, movedNew: Bool) throws -> Self? {
        // Read before the listing: a change after it moves them, and the look that would
        // trust them sees that.
        let state = Self(newMtime: FolderSync.mtime("\(directory)/new"), curMtime: FolderSync.mtime("\(directory)/cur"),
                         movedNew: movedNew)
        let cur = try FolderSync.names(in: "\(directory)/cur")
        let new = try FolderSync.names(in: "\(directory)/new")
        guard cur.count + new.count == expected.count,
              cur.allSatisfy({ expected.contains("cur/\($0)") }),
              new.allSatisfy({ expected.contains("new/\($0)") }) else { return nil }
        return state
    }

    /// Whether `directory`'s `new/` and `cur/` still have these mtimes.
    func isCurrent(in directory: String) -> Bool {
        FolderSync.mtime("\(directory)/new") == newMtime && FolderSync.mtime("\(directory)/cur") == curMtime
    }
}
