#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MoatCore

/// A Maildir whose messages stand for items kept elsewhere: one user's view of the
/// quarantine. Each file's base name carries its item's ID (`<secs>.I<id>.<tag>,S=…,W=…`),
/// so what the folder holds is read back from the names, and the folder is otherwise an
/// ordinary Maildir that `IndexedMailbox` opens (UIDs, flags, FETCH, SEARCH as anywhere).
///
/// `reconcile` makes it hold exactly a wanted list, under an flock(2) on `<dir>/mirror.lock`
/// so two sessions of one user never add an item twice. Files appear through `tmp/` and a
/// rename into `new/` with the item's date as mtime (the INTERNALDATE); removed items'
/// files are unlinked, which the index reports as expunged at its next sync.
///
/// Calls block on disk; run them off the event loop.
public struct MirroredFolder: Sendable {
    /// The Maildir (with `cur/`, `new/`, `tmp/`).
    public let directory: String
    /// The last dot-separated field of the names this folder writes: only those are its
    /// items; anything else found here is left alone.
    public let tag: String

    /// One item the folder should hold.
    public struct Item: Sendable, Equatable {
        public var id: String
        /// Unix seconds: the message's INTERNALDATE.
        public var date: Double

        public init(id: String, date: Double) {
            self.id = id
            self.date = date
        }
    }

    /// What one `reconcile` did.
    public struct Outcome: Sendable {
        public var added = 0
        public var removed = 0
        /// Items whose content could not be had, with why; they are retried next time.
        public var failures: [(id: String, error: any Error)] = []
    }

    public init(directory: String, tag: String) {
        self.directory = directory
        self.tag = tag
    }

    /// Creates the Maildir (mode 0700) when missing.
    /// - Returns: true if this call created it.
    @discardableResult
    public func create() throws -> Bool {
        let created = try MailboxError.mappingIO { try DurableFile.makeDirectories("\(directory)/cur", mode: 0o700) }
        for sub in ["new", "tmp"] {
            _ = try MailboxError.mappingIO { try DurableFile.makeDirectories("\(directory)/\(sub)", mode: 0o700) }
        }
        return created
    }

    /// The item ID in a base name this folder wrote, nil for any other name.
    public func itemID(baseName: String) -> String? {
        let name = baseName.split(separator: ",", maxSplits: 1).first ?? ""
        let fields = name.split(separator: ".", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[2] == tag, fields[1].first == "I", fields[1].count > 1 else { return nil }
        return String(fields[1].dropFirst())
    }

    /// Makes the folder hold exactly `wanted` (by ID); `content` gives the bytes of each item
    /// to add. An item whose content fails is skipped and reported; the others go on.
    /// Creates the Maildir (mode 0700) when missing.
    public func reconcile(wanted: [Item], content: (String) throws -> [UInt8]) throws -> Outcome {
        try create()
        return try MailboxError.mappingIO {
            try FileLock.holding("\(directory)/mirror.lock") {
                var outcome = Outcome()
                let present = try presentFiles()
                let wantedIDs = Set(wanted.map(\.id))
                for (id, paths) in present where !wantedIDs.contains(id) {
                    for path in paths { _ = try DurableFile.remove(path) }
                    outcome.removed += 1
                }
                for item in wanted where present[item.id] == nil {
                    do {
                        try add(item, bytes: try content(item.id))
                        outcome.added += 1
                    } catch {
                        outcome.failures.append((item.id, error))
                    }
                }
                if outcome.removed > 0 {
                    try DurableFile.syncDirectory("\(directory)/cur")
                    try DurableFile.syncDirectory("\(directory)/new")
                }
                return outcome
            }
        }
    }

    /// The files of each item present, in `new/` and `cur/` (one each unless something
    /// else copied them).
    private func presentFiles() throws -> [String: [String]] {
        var files: [String: [String]] = [:]
        for sub in ["new", "cur"] {
            for name in try DurableFile.entries(of: "\(directory)/\(sub)") {
                let base = name.split(separator: ":", maxSplits: 1).first.map(String.init) ?? name
                if let id = itemID(baseName: base) { files[id, default: []].append("\(directory)/\(sub)/\(name)") }
            }
        }
        return files
    }

    private func add(_ item: Item, bytes: [UInt8]) throws {
        let size = bytes.count
        let virtualSize = MessageSize.crlfSize(of: bytes)
        let base = "\(Int(item.date)).I\(item.id).\(tag),S=\(size),W=\(virtualSize)"
        let staged = "\(directory)/tmp/\(base)"
        try DurableFile.create(staged, temporaryPath: "\(staged).\(MaildirName.unique(size: 0, virtualSize: 0).text)",
                               chunks: [bytes], publish: .replace)
        try FileTimes.setModified(staged, to: item.date)
        guard try DurableFile.rename(staged, to: "\(directory)/new/\(base)") else {
            throw SystemCallError(operation: "rename", path: staged, errno: ENOENT)
        }
    }
}
