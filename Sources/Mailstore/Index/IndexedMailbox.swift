import Foundation
import GRDB
import MoatCore

/// One session's handle on one mailbox (a selected or examined IMAP mailbox, a POP3
/// maildrop): the storage API the IMAP and POP3 code use instead of touching files.
///
/// A handle remembers what it last showed its session (the snapshot), so `sync` can say
/// what changed since. Any number of handles, in this and other processes, and any Maildir
/// writer may work on the same folder at once: every change goes through the folder's
/// index write transaction (see `MailboxStorage`).
///
/// All calls block on disk and SQLite; run them off the event loop (MoatCore's
/// `BlockingWorkPool`). A handle is safe to share between threads.
public final class IndexedMailbox: Sendable {
    /// The IMAP name (`INBOX`, `Archive.2024`).
    public let name: String
    /// True for EXAMINE: every write throws `MailboxError.readOnly`, and mail found in
    /// `new/` is indexed where it is rather than moved to `cur/`.
    public let isReadOnly: Bool
    /// How the index was found; log anything but `.existing`.
    public let openOutcome: MailboxOpenOutcome

    let storage: MailboxStorage
    private let seen: Locked<SeenState>

    /// What this handle last reported: each message's MODSEQ as shown, and the MODSEQ
    /// up to which everything was looked at.
    struct SeenState {
        var modSeqs: [MessageUID: ModSeq] = [:]
        var highestModSeq: ModSeq = 0
        var snapshot: MailboxSnapshot
    }

    /// Opens the folder at `directory` (a Maildir or a Maildir++ folder, with `cur/`,
    /// `new/`, `tmp/`), building its index if needed, and syncs it with the files.
    ///
    /// - Throws: `MailboxError.noSuchMailbox` when `directory` has no `cur/`; `.io`,
    ///   `.index` otherwise.
    public init(directory: String, name: String, readOnly: Bool = false) throws {
        try Self.requireFolder(directory, name: name)
        self.name = name
        isReadOnly = readOnly
        storage = try MailboxStorage.shared(directory: directory, readOnly: readOnly)
        openOutcome = storage.outcome
        try storage.sync(moveNew: !readOnly)
        let snapshot = try storage.read("snapshot") { db in try Self.snapshot(db) }
        var state = SeenState(snapshot: snapshot)
        state.highestModSeq = snapshot.highestModSeq
        for message in snapshot.messages { state.modSeqs[message.uid] = message.modSeq }
        seen = Locked(state)
    }

    /// The mailbox as of the last `open` or `sync` (what the session has been told), with
    /// this handle's own STORE, EXPUNGE and MOVE applied.
    public var snapshot: MailboxSnapshot { seen.withLock { $0.snapshot } }

    /// Picks up what other handles and Maildir writers did (new files, deletions, renamed
    /// flags) and returns what this handle has not yet reported. Cheap when nothing
    /// changed: two stat(2) calls and one indexed query.
    public func sync() throws -> MailboxChanges {
        try storage.sync(moveNew: !isReadOnly)
        let since = seen.withLock { $0.highestModSeq }
        let (rows, gone, counters) = try storage.read("sync") { db in
            (try Row.fetchAll(db, sql: "SELECT \(IndexSchema.messageColumns) FROM message WHERE mod_seq > ? ORDER BY uid",
                              arguments: [Int64(since)]).map(IndexSchema.message),
             try MessageUID.fetchAll(db, sql: "SELECT uid FROM expunged WHERE mod_seq > ? ORDER BY uid",
                                     arguments: [Int64(since)]),
             try MailboxCounters.fetch(db))
        }
        return seen.withLock { state in
            // Applied to the snapshot in place: reading every row again would make an idle
            // NOOP cost as much as a SELECT.
            var changes = MailboxChanges(expunged: [], added: [], flagsChanged: [], uidNext: state.snapshot.uidNext,
                                         highestModSeq: state.snapshot.highestModSeq, keywords: state.snapshot.keywords)
            for uid in gone where state.modSeqs.removeValue(forKey: uid) != nil { changes.expunged.append(uid) }
            for message in rows {
                switch state.modSeqs[message.uid] {
                case nil: changes.added.append(message)
                case message.modSeq: continue
                default: changes.flagsChanged.append(message)
                }
                state.modSeqs[message.uid] = message.modSeq
            }
            if !changes.isEmpty {
                let expunged = Set(changes.expunged)
                let changed = Dictionary(uniqueKeysWithValues: changes.flagsChanged.map { ($0.uid, $0) })
                state.snapshot.messages = state.snapshot.messages.compactMap { message in
                    expunged.contains(message.uid) ? nil : changed[message.uid] ?? message
                }
                // New UIDs are above every known one except after an outside import; keep UID order.
                state.snapshot.messages += changes.added
                if let last = state.snapshot.messages.dropLast(changes.added.count).last?.uid,
                   let first = changes.added.first?.uid, first < last {
                    state.snapshot.messages.sort { $0.uid < $1.uid }
                }
                state.snapshot.keywords = Set(state.snapshot.messages.flatMap(\.keywords)).sorted()
            }
            if let counters {
                state.snapshot.uidNext = counters.uidNext
                state.snapshot.highestModSeq = counters.highestModSeq
            }
            state.highestModSeq = state.snapshot.highestModSeq
            changes.uidNext = state.snapshot.uidNext
            changes.highestModSeq = state.snapshot.highestModSeq
            changes.keywords = state.snapshot.keywords
            return changes
        }
    }

    /// The message as IMAP and POP3 send it: the stored bytes with CRLF line ends,
    /// `size` bytes long.
    /// - Throws: `MailboxError.noSuchMessage` if it was expunged.
    public func message(uid: MessageUID) throws -> [UInt8] {
        MessageSize.withCRLF(try storage.contents(uid: uid))
    }

    /// STORE: changes flags and keywords of `uids` (unknown UIDs are ignored, as IMAP
    /// ignores expunged ones), with CONDSTORE's UNCHANGEDSINCE when given. Filenames
    /// are renamed so other Maildir readers see the flags.
    public func store(_ change: FlagChange, uids: [MessageUID], unchangedSince: ModSeq? = nil) throws
        -> FlagChangeResult {
        try requireWritable()
        for keyword in change.keywords where !Self.isAtom(keyword) { throw MailboxError.invalidKeyword(keyword) }
        let result = try storage.store(change, uids: uids, unchangedSince: unchangedSince)
        seen.withLock { state in
            let positions = Dictionary(uniqueKeysWithValues: state.snapshot.messages.enumerated().map { ($1.uid, $0) })
            for message in result.changed {
                guard let position = positions[message.uid] else { continue }
                state.modSeqs[message.uid] = message.modSeq
                state.snapshot.messages[position] = message
            }
        }
        return result
    }

    /// APPEND into this mailbox: the message (CRLF or LF; stored with LF as Maildir is),
    /// flags, keywords and INTERNALDATE (nil: now). Durable when it returns (file and
    /// `cur/` fsync'ed, index committed).
    /// - Returns: the new UID (UIDPLUS `APPENDUID` with `snapshot.uidValidity`).
    public func append(_ message: [UInt8], flags: MessageFlags = [], keywords: [String] = [],
                       internalDate: Double? = nil) throws -> MessageUID {
        for keyword in keywords where !Self.isAtom(keyword) { throw MailboxError.invalidKeyword(keyword) }
        return try storage.append(message, flags: flags, keywords: keywords, internalDate: internalDate)
    }

    /// COPY `uids` (those that exist) into `destination`, keeping flags, keywords and
    /// INTERNALDATE; the files are hard links where the file system allows.
    /// - Returns: source and new UID pairs in source UID order (UIDPLUS `COPYUID`).
    public func copy(uids: [MessageUID], to destination: IndexedMailbox) throws -> [UIDMapping] {
        try storage.copy(uids: uids, to: destination.storage)
    }

    /// MOVE (RFC 6851): copy, then expunge the originals from this mailbox whatever their
    /// `\Deleted` flag. The session reports the expunges itself.
    public func move(uids: [MessageUID], to destination: IndexedMailbox) throws -> [UIDMapping] {
        try requireWritable()
        let mappings = try storage.copy(uids: uids, to: destination.storage)
        let removed = try storage.remove(uids: mappings.map(\.source), onlyDeleted: false)
        forget(removed)
        return mappings
    }

    /// EXPUNGE (uids nil) or UID EXPUNGE (RFC 4315): removes the messages with `\Deleted`,
    /// among `uids` if given.
    /// - Returns: the UIDs removed, ascending.
    public func expunge(uids: [MessageUID]? = nil) throws -> [MessageUID] {
        try requireWritable()
        let removed = try storage.remove(uids: uids, onlyDeleted: true)
        forget(removed)
        return removed
    }

    /// UIDs expunged with a MODSEQ above `modSeq`, ascending (QRESYNC `VANISHED (EARLIER)`).
    public func expunged(since modSeq: ModSeq) throws -> [MessageUID] {
        try storage.read("expunged") { db in
            try MessageUID.fetchAll(db, sql: "SELECT uid FROM expunged WHERE mod_seq > ? ORDER BY uid",
                                    arguments: [Int64(modSeq)])
        }
    }

    /// The ENVELOPE/BODYSTRUCTURE the IMAP layer stored for `uid` (empty if none).
    public func cachedParts(uid: MessageUID) throws -> CachedMessageParts {
        try storage.read("cached parts") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT envelope, body_structure FROM message WHERE uid = ?",
                                             arguments: [Int64(uid)]) else { return CachedMessageParts() }
            return CachedMessageParts(envelope: (row["envelope"] as Data?).map { Array($0) },
                                      bodyStructure: (row["body_structure"] as Data?).map { Array($0) })
        }
    }

    /// Keeps `parts` for `uid` (allowed on read-only handles too: it is a cache).
    public func setCachedParts(_ parts: CachedMessageParts, uid: MessageUID) throws {
        try storage.write("cache parts") { db in
            try db.execute(sql: "UPDATE message SET envelope = ?, body_structure = ? WHERE uid = ?",
                           arguments: [parts.envelope.map { Data($0) }, parts.bodyStructure.map { Data($0) },
                                       Int64(uid)])
        }
    }

    /// RFC 3501 \Recent: the messages no session has been shown yet become this session's
    /// recent ones and no other session's (IMAP4rev1; IMAP4rev2 dropped it). Call at a
    /// read-write SELECT and after each sync that brought new mail.
    /// - Returns: the UIDs that are recent for the caller, ascending.
    public func claimRecent() throws -> [MessageUID] {
        try requireWritable()
        return try storage.write("claim recent") { db in
            let first = try Int64.fetchOne(db, sql: "SELECT first_recent_uid FROM mailbox WHERE id = 1") ?? 1
            let uids = try MessageUID.fetchAll(db, sql: "SELECT uid FROM message WHERE uid >= ? ORDER BY uid", arguments: [first])
            try db.execute(sql: "UPDATE mailbox SET first_recent_uid = uid_next WHERE id = 1")
            return uids
        }
    }

    /// Whether the folder is still there (another session may have deleted it).
    public var exists: Bool {
        (try? DurableFile.status(of: "\(storage.directory)/cur"))??.isDirectory == true
    }

    /// STATUS figures as of now (after a sync).
    public func status() throws -> MailboxStatus {
        try storage.sync(moveNew: !isReadOnly)
        return try storage.status()
    }

    /// STATUS without a handle: the folder synced (read-only) and its counters read, without
    /// loading its message list as a handle's snapshot does (a STATUS of a 10,000-message
    /// mailbox, which clients poll, reads no row per message).
    /// - Throws: as `init`.
    public static func status(directory: String, name: String) throws -> MailboxStatus {
        try requireFolder(directory, name: name)
        let storage = try MailboxStorage.shared(directory: directory, readOnly: true)
        try storage.sync(moveNew: false)
        return try storage.status()
    }

    // MARK: Private

    private static func requireFolder(_ directory: String, name: String) throws {
        guard (try? DurableFile.status(of: "\(directory)/cur"))??.isDirectory == true else {
            throw MailboxError.noSuchMailbox(name)
        }
    }

    private func requireWritable() throws {
        if isReadOnly { throw MailboxError.readOnly(mailbox: name) }
    }

    private func forget(_ uids: [MessageUID]) {
        let gone = Set(uids)
        seen.withLock { state in
            for uid in uids { state.modSeqs[uid] = nil }
            state.snapshot.messages.removeAll { gone.contains($0.uid) }
        }
    }

    /// RFC 9051 `atom`: no space, control, `(){%*"\]` (a keyword cannot start with `\`).
    static func isAtom(_ text: String) -> Bool {
        !text.isEmpty && !text.hasPrefix("\\") && text.utf8.count <= 250 && text.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value < 0x7F && !"(){%*\"\\]".unicodeScalars.contains(scalar)
        }
    }

    static func snapshot(_ db: Database) throws -> MailboxSnapshot {
        guard let counters = try MailboxCounters.fetch(db) else {
            throw MailboxError.index(path: "", operation: "snapshot", message: "no mailbox row")
        }
        let messages = try Row.fetchAll(db, sql: "SELECT \(IndexSchema.messageColumns) FROM message ORDER BY uid")
            .map(IndexSchema.message)
        let keywords = Set(messages.flatMap(\.keywords)).sorted()
        return MailboxSnapshot(uidValidity: counters.uidValidity, uidNext: counters.uidNext,
                               highestModSeq: counters.highestModSeq, messages: messages, keywords: keywords)
    }
}
