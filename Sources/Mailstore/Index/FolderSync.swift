import GRDB
import MoatCore

/// One full reconciliation of a folder's index with its `new/` and `cur/` directories, as
/// Dovecot's `maildir-sync.c` does, run inside an index write transaction:
///
/// - a known file renamed by another reader: its flags and keywords are taken (one new
///   MODSEQ for the whole sync);
/// - a known file gone: expunged, recorded in `expunged` with that MODSEQ;
/// - a file in `new/` (when `moveNew`): moved to `cur/` as `<base>,U=<uid>:2,<flags>`, or
///   as `<base>:2,<flags>` when `dovecot-uidlist` gives that base the same UID (Dovecot,
///   reading the Maildir again, still knows the message by its base);
/// - an unknown file: indexed, in delivery order, with the next UIDs; it keeps a UID its
///   name (`U=`) or `uidHints` (`dovecot-uidlist`) records when that UID is free and either
///   `adoptRecordedUIDs` (a rebuild or import) or it is at or above UIDNEXT (a UID handed
///   out before a crash, never committed).
struct FolderSync {
    let directory: String
    let moveNew: Bool
    let adoptRecordedUIDs: Bool
    var uidHints: [String: MessageUID] = [:]
    /// Whether to end with a fresh listing that yields `Report.left` (the build does: its own
    /// renames leave `cur/` with a new mtime the next look could not otherwise trust).
    var recordsLeftState = false

    struct Report {
        var added: [IndexedMessage] = []
        var expunged: [MessageUID] = []
        var keptUIDs = 0
        /// Of those, how many came from `uidHints` (`dovecot-uidlist`).
        var keptFromHints = 0
        /// With `recordsLeftState`: the directories as this sync left them, when a listing
        /// at the end found exactly the files the index now names (nobody else wrote).
        var left: MaildirDirectoryState?
    }

    private struct Known {
        var uid: MessageUID
        var fileName: String
        var flags: MessageFlags
        var keywords: [String]
    }

    private struct Candidate {
        var name: MaildirFileName
        var fileName: String
        var inNew: Bool
    }

    /// Seconds a directory's mtime must be in the past before a sync trusts "unchanged":
    /// a change in the same clock tick as our look would otherwise go unseen.
    static let mtimeSettleTime = 1.0

    func run(_ db: Database) throws -> Report {
        guard var counters = try MailboxCounters.fetch(db) else {
            throw MailboxError.index(path: directory, operation: "sync", message: "no mailbox row")
        }
        let before = (new: Self.mtime("\(directory)/new"), cur: Self.mtime("\(directory)/cur"))
        let curNames = try Self.names(in: "\(directory)/cur")
        let newNames = try Self.names(in: "\(directory)/new")
        var known: [String: Known] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT uid, base, file_name, flags, keywords FROM message") {
            let keywords: String = row["keywords"]
            known[row["base"]] = Known(
                uid: MessageUID(truncatingIfNeeded: row["uid"] as Int64), fileName: row["file_name"],
                flags: MessageFlags(rawValue: UInt8(truncatingIfNeeded: row["flags"] as Int64)),
                keywords: keywords.isEmpty ? [] : keywords.split(separator: " ").map(String.init))
        }
        var letters = MessageFlagLetters(keywords: try KeywordTable(directory: directory))
        let modSeq = counters.highestModSeq + 1
        var changed = false
        var renamed = false
        var seen = Set<String>()
        var candidates: [Candidate] = []
        // The files this sync leaves, as "cur/name" and "new/name"; nil once another writer
        // is seen at work (a file gone under a rename), when no state is recorded.
        var left: Set<String>? = recordsLeftState
            ? Set(curNames.map { "cur/\($0)" } + newNames.map { "new/\($0)" }) : nil

        for name in curNames {
            let parsed = MaildirFileName(name)
            guard let entry = known[parsed.base] else {
                candidates.append(Candidate(name: parsed, fileName: name, inNew: false))
                continue
            }
            seen.insert(parsed.base)
            let relative = "cur/\(name)"
            guard entry.fileName != relative else { continue }
            let (flags, keywords) = letters.decode(parsed.infoLetters)
            // Keywords past the 26th letter live only in the index; a rename cannot drop them.
            let merged = Array(Set(keywords + entry.keywords.filter { !letters.keywords.hasLetter($0) })).sorted()
            if flags != entry.flags || merged != entry.keywords {
                changed = true
                try db.execute(
                    sql: "UPDATE message SET flags = ?, keywords = ?, mod_seq = ?, file_name = ? WHERE uid = ?",
                    arguments: [Int64(flags.rawValue), IndexSchema.keywordsColumn(merged), Int64(modSeq), relative,
                                Int64(entry.uid)])
            } else {
                try db.execute(sql: "UPDATE message SET file_name = ? WHERE uid = ?",
                               arguments: [relative, Int64(entry.uid)])
            }
        }
        var dovecotUIDs: [String: MessageUID]?  // read at the first file that may be Dovecot's
        for name in newNames {
            let parsed = MaildirFileName(name)
            guard let entry = known[parsed.base] else {
                candidates.append(Candidate(name: parsed, fileName: name, inNew: true))
                continue
            }
            seen.insert(parsed.base)
            var relative = "new/\(name)"
            if moveNew {
                if parsed.uid == nil, dovecotUIDs == nil {
                    dovecotUIDs = uidHints.isEmpty ? Self.dovecotUIDs(in: directory, uidValidity: counters.uidValidity)
                        : uidHints
                }
                let keepsBase = parsed.uid == nil && dovecotUIDs?[parsed.base] == entry.uid
                let target = MaildirFileName(base: keepsBase ? parsed.base : parsed.base(withUID: entry.uid),
                                             infoLetters: parsed.infoLetters)
                guard try Self.rename("\(directory)/new/\(name)", to: "\(directory)/cur/\(target.text)") else {
                    left = nil
                    continue
                }
                renamed = true
                relative = "cur/\(target.text)"
                left?.remove("new/\(name)")
                left?.insert(relative)
                // The base may have gained `U=`: the row follows the file.
                try db.execute(sql: "UPDATE message SET base = ?, file_name = ? WHERE uid = ?",
                               arguments: [target.base, relative, Int64(entry.uid)])
            } else if entry.fileName != relative {
                try db.execute(sql: "UPDATE message SET file_name = ? WHERE uid = ?",
                               arguments: [relative, Int64(entry.uid)])
            }
        }

        var report = Report()
        for (base, entry) in known where !seen.contains(base) {
            report.expunged.append(entry.uid)
            try db.execute(sql: "DELETE FROM message WHERE uid = ?", arguments: [Int64(entry.uid)])
            try db.execute(sql: "INSERT OR REPLACE INTO expunged (uid, mod_seq) VALUES (?, ?)",
                           arguments: [Int64(entry.uid), Int64(modSeq)])
        }
        report.expunged.sort()
        changed = changed || !report.expunged.isEmpty

        let assigned = assignUIDs(candidates, known: known, seen: seen, counters: &counters, report: &report)
        if !assigned.isEmpty {
            changed = true
            var state = IndexStateFile.read(directory: directory)
                ?? IndexStateFile(uidValidity: counters.uidValidity, reservedUID: 0, reservedModSeq: 0)
            try state.reserve(uidNext: counters.uidNext, modSeq: modSeq, directory: directory)
        }
        for (candidate, uid) in assigned {
            guard let (message, relative) = try index(candidate, uid: uid, modSeq: modSeq, letters: &letters, db: db)
            else {
                left = nil
                continue
            }
            left?.remove("\(candidate.inNew ? "new" : "cur")/\(candidate.fileName)")
            left?.insert(relative)
            if message.baseName != candidate.name.base { renamed = true }
            if uidHints[candidate.name.base] == uid { report.keptFromHints += 1 }
            report.added.append(message)
        }
        if renamed {
            try MailboxError.mappingIO {
                try DurableFile.syncDirectory("\(directory)/cur")
                if moveNew { try DurableFile.syncDirectory("\(directory)/new") }
            }
        }
        if changed { counters.highestModSeq = modSeq }
        let after = (new: Self.mtime("\(directory)/new"), cur: Self.mtime("\(directory)/cur"))
        let settled = DurableFile.currentTime() - Self.mtimeSettleTime
        // Trusted next time only if nothing moved under us and the tick is over; `new/`
        // never, while read-only handles leave files in it for a writer to move.
        let newLeft = !moveNew && !newNames.isEmpty
        counters.newMtime = after.new == before.new && after.new < settled && !newLeft ? after.new : 0
        counters.curMtime = after.cur == before.cur && after.cur < settled ? after.cur : 0
        try counters.save(db)
        if let left { report.left = try MaildirDirectoryState.matching(left, in: directory, movedNew: moveNew) }
        return report
    }

    /// UIDs for unknown files: recorded ones kept where allowed, the rest numbered from
    /// UIDNEXT in delivery order.
    private func assignUIDs(_ candidates: [Candidate], known: [String: Known], seen: Set<String>,
                            counters: inout MailboxCounters, report: inout Report)
        -> [(Candidate, MessageUID)] {
        var taken = Set(known.filter { seen.contains($0.key) }.map(\.value.uid))
        var result: [(Candidate, MessageUID)] = []
        var fresh: [Candidate] = []
        let ordered = candidates.map { (key: $0.name.deliveryKey, candidate: $0) }.sorted { $0.key < $1.key }
            .map(\.candidate)
        for candidate in ordered {
            if let recorded = candidate.name.uid ?? uidHints[candidate.name.base], !taken.contains(recorded),
               adoptRecordedUIDs || recorded >= counters.uidNext {
                taken.insert(recorded)
                result.append((candidate, recorded))
                report.keptUIDs += 1
            } else {
                fresh.append(candidate)
            }
        }
        var next = max(counters.uidNext, (result.map(\.1).max() ?? 0) + 1)
        for candidate in fresh {
            result.append((candidate, next))
            next += 1
        }
        counters.uidNext = next
        return result.sorted { $0.1 < $1.1 }
    }

    /// Indexes one new file (moving it to `cur/` with its UID in the name), with the path
    /// it is left at; nil if it vanished meanwhile.
    private func index(_ candidate: Candidate, uid: MessageUID, modSeq: ModSeq, letters: inout MessageFlagLetters,
                       db: Database) throws -> (IndexedMessage, relative: String)? {
        let source = "\(directory)/\(candidate.inNew ? "new" : "cur")/\(candidate.fileName)"
        guard let status = try MailboxError.mappingIO({ try DurableFile.status(of: source) }) else { return nil }
        let size = try candidate.name.virtualSize ?? MessageSize.crlfSize(ofFile: source)
        let (flags, keywords) = letters.decode(candidate.name.infoLetters)
        var base = candidate.name.base
        var relative = "\(candidate.inNew ? "new" : "cur")/\(candidate.fileName)"
        let needsUID = needsUIDInName(candidate, uid: uid)
        if candidate.inNew ? moveNew : needsUID {
            let target = MaildirFileName(base: needsUID ? candidate.name.base(withUID: uid) : candidate.name.base,
                                         infoLetters: candidate.name.infoLetters)
            guard try Self.rename(source, to: "\(directory)/cur/\(target.text)") else { return nil }
            base = target.base
            relative = "cur/\(target.text)"
        }
        try db.execute(
            sql: """
                INSERT INTO message (uid, base, file_name, flags, keywords, mod_seq, size, internal_date)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [Int64(uid), base, relative, Int64(flags.rawValue), IndexSchema.keywordsColumn(keywords),
                        Int64(modSeq), size, status.modified])
        return (IndexedMessage(uid: uid, flags: flags, keywords: keywords, modSeq: modSeq, size: size,
                               internalDate: status.modified, baseName: base), relative)
    }

    /// A file's base gains `U=` only when its name would not give the same UID back:
    /// a wrong `U=`, or none and no `dovecot-uidlist` entry (Dovecot's files keep their
    /// bases, so Dovecot can still read the Maildir after a migration).
    private func needsUIDInName(_ candidate: Candidate, uid: MessageUID) -> Bool {
        if let recorded = candidate.name.uid { return recorded != uid }
        return uidHints[candidate.name.base] != uid
    }

    /// `dovecot-uidlist`'s UIDs when it is of this UIDVALIDITY (else none): those of files
    /// a read-only handle indexed in `new/` at the import.
    static func dovecotUIDs(in directory: String, uidValidity: UInt32) -> [String: MessageUID] {
        guard let list = DovecotUIDList(directory: directory), list.uidValidity == uidValidity else { return [:] }
        return list.uids
    }

    /// rename(2) without fsync (the caller syncs the directories once); false if the
    /// source vanished.
    static func rename(_ source: String, to target: String) throws -> Bool {
        if posixRename(source, target) == 0 { return true }
        let code = errno
        if code == ENOENT { return false }
        throw MailboxError.io(operation: "rename", path: target, errno: code)
    }

    static func mtime(_ path: String) -> Double { DurableFile.modificationTime(path) ?? 0 }

    /// Message files in a `new/` or `cur/` directory: dot files are never messages.
    static func names(in path: String) throws -> [String] {
        do {
            return try DurableFile.entries(of: path).filter { !$0.hasPrefix(".") }
        } catch let failure as SystemCallError where failure.errno == ENOENT {
            return []
        } catch let failure as SystemCallError {
            throw MailboxError.io(operation: failure.operation, path: failure.path, errno: failure.errno)
        }
    }
}

private func posixRename(_ source: String, _ target: String) -> Int32 { rename(source, target) }

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
