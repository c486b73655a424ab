import GRDB
import MoatCore

/// The writes and reads behind `IndexedMailbox`, each in one index transaction.
extension MailboxStorage {
    /// Brings the index up to date with the files; a no-op (two stat calls and a read)
    /// when `new/` and `cur/` kept the mtimes the last full scan recorded, or, for the first
    /// look after the build, the mtimes the build left (its own renames made them too young
    /// to record; see `MaildirDirectoryState`).
    func sync(moveNew: Bool) throws {
        let left = leftByBuild.withLock { left in
            defer { left = nil }
            return left
        }
        if let left, left.movedNew == moveNew, left.isCurrent(in: directory) { return }
        let counters = try read("sync check") { try MailboxCounters.fetch($0) }
        if let counters, counters.newMtime != 0, counters.curMtime != 0,
           FolderSync.mtime("\(directory)/new") == counters.newMtime,
           FolderSync.mtime("\(directory)/cur") == counters.curMtime {
            return
        }
        _ = try write("sync") { db in
            try scan(FolderSync(directory: directory, moveNew: moveNew, adoptRecordedUIDs: false), db)
        }
    }

    /// Runs one full scan, counted in `scans`.
    func scan(_ sync: FolderSync, _ db: Database) throws -> FolderSync.Report {
        scans.withLock { $0 += 1 }
        return try sync.run(db)
    }

    /// The stored bytes of `uid`; rescans once if its file was renamed by someone else.
    func contents(uid: MessageUID) throws -> [UInt8] {
        for attempt in 0..<2 {
            guard let fileName = try read("find message", { db in
                try String.fetchOne(db, sql: "SELECT file_name FROM message WHERE uid = ?", arguments: [Int64(uid)])
            }) else { break }
            do {
                return try DurableFile.contents(of: "\(directory)/\(fileName)")
            } catch let failure as SystemCallError where failure.errno == ENOENT && attempt == 0 {
                try sync(moveNew: false)
                _ = try write("resync") { db in
                    try scan(FolderSync(directory: directory, moveNew: false, adoptRecordedUIDs: false), db)
                }
            } catch let failure as SystemCallError {
                throw MailboxError.io(operation: failure.operation, path: failure.path, errno: failure.errno)
            }
        }
        throw MailboxError.noSuchMessage(uid)
    }

    func store(_ change: FlagChange, uids: [MessageUID], unchangedSince: ModSeq?) throws -> FlagChangeResult {
        try write("store") { db in
            guard var counters = try MailboxCounters.fetch(db) else { return FlagChangeResult(changed: [], modified: []) }
            let modSeq = counters.highestModSeq + 1
            var letters = MessageFlagLetters(keywords: try KeywordTable(directory: directory))
            var result = FlagChangeResult(changed: [], modified: [])
            for uid in Set(uids).sorted() {
                guard let row = try Row.fetchOne(
                    db, sql: "SELECT \(IndexSchema.messageColumns), file_name FROM message WHERE uid = ?",
                    arguments: [Int64(uid)]) else { continue }
                var message = IndexSchema.message(row)
                if let unchangedSince, message.modSeq > unchangedSince {
                    result.modified.append(uid)
                    continue
                }
                let (flags, keywords) = Self.apply(change, to: message)
                guard flags != message.flags || keywords != message.keywords else { continue }
                let oldFile: String = row["file_name"]
                let old = MaildirFileName(String(oldFile.dropFirst(4)))
                let info = try letters.encode(flags, keywords, keeping: old.infoLetters)
                var newFile = oldFile
                if info != old.infoLetters {
                    let folder = oldFile.prefix(3)
                    let renamed = MaildirFileName(base: old.base, infoLetters: info)
                    newFile = "\(folder)/\(folder == "new" ? old.base : renamed.text)"
                    if folder == "cur" {
                        guard try FolderSync.rename("\(directory)/\(oldFile)", to: "\(directory)/\(newFile)") else {
                            continue  // expunged by another reader meanwhile; the next sync says so
                        }
                    } else {
                        newFile = oldFile  // read-only sessions left it in new/: flags stay in the index
                    }
                }
                try db.execute(sql: "UPDATE message SET flags = ?, keywords = ?, mod_seq = ?, file_name = ? WHERE uid = ?",
                               arguments: [Int64(flags.rawValue), IndexSchema.keywordsColumn(keywords), Int64(modSeq),
                                           newFile, Int64(uid)])
                message.flags = flags
                message.keywords = keywords
                message.modSeq = modSeq
                result.changed.append(message)
            }
            if !result.changed.isEmpty {
                try reserve(uidNext: counters.uidNext, modSeq: modSeq, uidValidity: counters.uidValidity)
                try MailboxError.mappingIO { try DurableFile.syncDirectory("\(directory)/cur") }
                counters.highestModSeq = modSeq
                try counters.save(db)
            }
            return result
        }
    }

    static func apply(_ change: FlagChange, to message: IndexedMessage) -> (MessageFlags, [String]) {
        switch change.operation {
        case .replace:
            return (change.flags, Self.uniqueKeywords(change.keywords))
        case .add:
            return (message.flags.union(change.flags), Self.uniqueKeywords(message.keywords + change.keywords))
        case .remove:
            let removed = Set(change.keywords.map { $0.lowercased() })
            return (message.flags.subtracting(change.flags),
                    message.keywords.filter { !removed.contains($0.lowercased()) })
        }
    }

    /// Keywords deduplicated case-insensitively (the first spelling wins), sorted.
    static func uniqueKeywords(_ keywords: [String]) -> [String] {
        var seen = Set<String>()
        return keywords.filter { seen.insert($0.lowercased()).inserted }.sorted()
    }

    func append(_ message: [UInt8], flags: MessageFlags, keywords: [String], internalDate: Double?) throws
        -> MessageUID {
        let body = LineEndings.lineFeedsOnly(message)
        let size = MessageSize.crlfSize(of: body)
        let name = MaildirName.unique(size: body.count, virtualSize: Int(size))
        let staged = "\(directory)/tmp/\(name.text)"
        try MailboxError.mappingIO {
            try DurableFile.create(staged, temporaryPath: staged + ".part", chunks: [body])
            if let internalDate { try FileTimes.setModified(staged, to: internalDate) }
        }
        defer { _ = try? DurableFile.remove(staged) }
        return try insert(staged: staged, base: name.text, size: size, flags: flags,
                          keywords: Self.uniqueKeywords(keywords), link: false)
    }

    /// Gives a file staged in `tmp/` (or, with `link`, another folder's file) the next UID
    /// and its `cur/` name, and indexes it.
    func insert(staged: String, base: String, size: Int64, flags: MessageFlags, keywords: [String], link: Bool) throws
        -> MessageUID {
        try write("append") { db in
            guard var counters = try MailboxCounters.fetch(db) else {
                throw MailboxError.index(path: indexPath, operation: "append", message: "no mailbox row")
            }
            let uid = counters.uidNext
            let modSeq = counters.highestModSeq + 1
            try reserve(uidNext: uid + 1, modSeq: modSeq, uidValidity: counters.uidValidity)
            var letters = MessageFlagLetters(keywords: try KeywordTable(directory: directory))
            let info = try letters.encode(flags, keywords, keeping: "")
            let target = MaildirFileName(base: MaildirFileName(base).base(withUID: uid), infoLetters: info)
            let path = "\(directory)/cur/\(target.text)"
            try MailboxError.mappingIO {
                if link {
                    try FileTimes.linkOrCopy(staged, to: path, scratch: "\(directory)/tmp/\(target.base).copy")
                } else {
                    _ = try DurableFile.rename(staged, to: path)
                }
            }
            let date = DurableFile.modificationTime(path) ?? DurableFile.currentTime()
            try db.execute(
                sql: """
                    INSERT INTO message (uid, base, file_name, flags, keywords, mod_seq, size, internal_date)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [Int64(uid), target.base, "cur/\(target.text)", Int64(flags.rawValue),
                            IndexSchema.keywordsColumn(keywords), Int64(modSeq), size, date])
            counters.uidNext = uid + 1
            counters.highestModSeq = modSeq
            try counters.save(db)
            return uid
        }
    }

    func copy(uids: [MessageUID], to destination: MailboxStorage) throws -> [UIDMapping] {
        var mappings: [UIDMapping] = []
        for uid in Set(uids).sorted() {
            for attempt in 0..<2 {
                guard let row = try read("copy", { db in
                    try Row.fetchOne(db, sql: "SELECT \(IndexSchema.messageColumns), file_name FROM message WHERE uid = ?",
                                     arguments: [Int64(uid)])
                }) else { break }
                let message = IndexSchema.message(row)
                let file: String = row["file_name"]
                let base = MaildirName.unique(size: 0, virtualSize: Int(message.size)).text
                do {
                    let newUID = try destination.insert(
                        staged: "\(directory)/\(file)", base: base, size: message.size, flags: message.flags,
                        keywords: message.keywords, link: true)
                    mappings.append(UIDMapping(source: uid, destination: newUID))
                    break
                } catch MailboxError.io(_, _, ENOENT) where attempt == 0 {
                    // Renamed by a flag change elsewhere: find its new name and try again.
                    _ = try write("resync") { db in
                        try scan(FolderSync(directory: directory, moveNew: false, adoptRecordedUIDs: false), db)
                    }
                }
            }
        }
        return mappings
    }

    /// Unlinks `uids` (all `\Deleted` ones when nil; only `\Deleted` ones when
    /// `onlyDeleted`) and records them as expunged.
    func remove(uids: [MessageUID]?, onlyDeleted: Bool) throws -> [MessageUID] {
        try write("expunge") { db in
            guard var counters = try MailboxCounters.fetch(db) else { return [] }
            let modSeq = counters.highestModSeq + 1
            var rows = try Row.fetchAll(db, sql: "SELECT uid, flags, file_name FROM message ORDER BY uid")
            if let uids {
                let wanted = Set(uids)
                rows = rows.filter { wanted.contains(MessageUID(truncatingIfNeeded: $0["uid"] as Int64)) }
            }
            if onlyDeleted {
                rows = rows.filter { MessageFlags(rawValue: UInt8(truncatingIfNeeded: $0["flags"] as Int64)).contains(.deleted) }
            }
            guard !rows.isEmpty else { return [] }
            try reserve(uidNext: counters.uidNext, modSeq: modSeq, uidValidity: counters.uidValidity)
            var removed: [MessageUID] = []
            for row in rows {
                let uid = MessageUID(truncatingIfNeeded: row["uid"] as Int64)
                let file: String = row["file_name"]
                try MailboxError.mappingIO { _ = try DurableFile.remove("\(directory)/\(file)") }
                try db.execute(sql: "DELETE FROM message WHERE uid = ?", arguments: [Int64(uid)])
                try db.execute(sql: "INSERT OR REPLACE INTO expunged (uid, mod_seq) VALUES (?, ?)",
                               arguments: [Int64(uid), Int64(modSeq)])
                removed.append(uid)
            }
            try MailboxError.mappingIO { try DurableFile.syncDirectory("\(directory)/cur") }
            counters.highestModSeq = modSeq
            try counters.save(db)
            return removed
        }
    }

    func status() throws -> MailboxStatus {
        try read("status") { db in
            guard let counters = try MailboxCounters.fetch(db),
                  let row = try Row.fetchOne(db, sql: """
                      SELECT COUNT(*) AS messages, COALESCE(SUM(size), 0) AS size,
                             COALESCE(SUM((flags & ?) = 0), 0) AS unseen, COALESCE(SUM((flags & ?) != 0), 0) AS deleted,
                             COALESCE(SUM(uid >= (SELECT first_recent_uid FROM mailbox WHERE id = 1)), 0) AS recent
                      FROM message
                      """, arguments: [Int64(MessageFlags.seen.rawValue), Int64(MessageFlags.deleted.rawValue)])
            else { throw MailboxError.index(path: indexPath, operation: "status", message: "no mailbox row") }
            return MailboxStatus(messages: row["messages"], recent: row["recent"], uidNext: counters.uidNext,
                                 uidValidity: counters.uidValidity, unseen: row["unseen"], size: row["size"],
                                 highestModSeq: counters.highestModSeq, deleted: row["deleted"])
        }
    }

    /// Raises `moat-index-state`'s reservations when this change would pass them.
    private func reserve(uidNext: MessageUID, modSeq: ModSeq, uidValidity: UInt32) throws {
        var state = IndexStateFile.read(directory: directory)
            ?? IndexStateFile(uidValidity: uidValidity, reservedUID: 0, reservedModSeq: 0)
        try state.reserve(uidNext: uidNext, modSeq: modSeq, directory: directory)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
