import Foundation
import MoatCore

/// One user's mailboxes: the Maildir and its Maildir++ folders (`.Sent`, `.Archive.2024`),
/// listed, created, deleted, renamed and subscribed as Dovecot's Maildir++ layout does,
/// with `.` as the hierarchy separator and non-ASCII names in modified UTF-7 on disk.
///
/// - DELETE of a mailbox with children removes its own directory only; the children stay
///   and the name lists as `\Noselect \HasChildren` (Dovecot's Maildir++ behaviour).
/// - RENAME takes the children along; RENAME of INBOX moves its messages into the new
///   mailbox and leaves INBOX empty (RFC 9051 §6.3.6). Subscriptions are not renamed.
/// - Special use comes from the default names (`SpecialUse`); `ensureDefaultMailboxes`
///   creates and subscribes them at first login.
///
/// Calls block on disk; run them off the event loop.
public struct UserMailboxes: Sendable {
    /// The hierarchy separator, as Dovecot's Maildir++ layout has it.
    public static let separator: Character = "."

    /// The Maildir root (the INBOX).
    public let maildir: String

    public init(maildir: String) { self.maildir = maildir }

    public init(path: MaildirPath) { maildir = path.maildir }

    /// Every mailbox, INBOX first, then by name; parents that exist only through their
    /// children are listed as not selectable.
    public func list() throws -> [MailboxInfo] {
        let subscribed = Set(try SubscriptionsFile(maildir: maildir).read().names)
        var names = Set<String>()
        for entry in try MailboxError.mappingIO({ try DurableFile.entries(of: maildir) })
        where entry.hasPrefix(".") && entry.count > 1 && !entry.hasPrefix("..") {
            guard (try? DurableFile.status(of: "\(maildir)/\(entry)/cur"))??.isDirectory == true else { continue }
            let raw = String(entry.dropFirst())
            names.insert(ModifiedUTF7.decode(raw) ?? raw)
        }
        var all = names
        for name in names {
            var levels = name.split(separator: Self.separator, omittingEmptySubsequences: false)
            while levels.count > 1 {
                levels.removeLast()
                all.insert(levels.joined(separator: String(Self.separator)))
            }
        }
        func info(_ name: String, selectable: Bool) -> MailboxInfo {
            let prefix = name + String(Self.separator)
            return MailboxInfo(name: name, selectable: selectable,
                               hasChildren: all.contains { $0.hasPrefix(prefix) }, subscribed: subscribed.contains(name),
                               specialUse: SpecialUse(mailboxName: name))
        }
        return [info("INBOX", selectable: true)] + all.sorted().map { info($0, selectable: names.contains($0)) }
    }

    /// Opens `name` for a session (SELECT, or EXAMINE with `readOnly`).
    /// - Throws: `MailboxError.noSuchMailbox` if it does not exist or is `\Noselect`.
    public func open(_ name: String, readOnly: Bool = false) throws -> IndexedMailbox {
        let folder = try Self.folder(name)
        if folder == .inbox { try createInboxIfMissing() }
        return try IndexedMailbox(directory: directory(of: folder), name: folder.name, readOnly: readOnly)
    }

    /// STATUS without keeping a handle.
    public func status(_ name: String) throws -> MailboxStatus {
        let folder = try Self.folder(name)
        if folder == .inbox { try createInboxIfMissing() }
        return try IndexedMailbox.status(directory: directory(of: folder), name: folder.name)
    }

    /// CREATE: the folder with `cur/`, `new/`, `tmp/` and the `maildirfolder` marker.
    /// - Throws: `.mailboxExists`, `.invalidName`.
    public func create(_ name: String) throws {
        let folder = try Self.folder(name)
        guard folder != .inbox else { throw MailboxError.mailboxExists("INBOX") }
        let directory = directory(of: folder)
        if (try? DurableFile.status(of: "\(directory)/cur")) ?? nil != nil { throw MailboxError.mailboxExists(folder.name) }
        try createInboxIfMissing()
        try MailboxError.mappingIO {
            for sub in ["cur", "new", "tmp"] { try DurableFile.makeDirectories("\(directory)/\(sub)", mode: 0o700) }
            try DurableFile.makeFile("\(directory)/maildirfolder", mode: 0o600)
        }
    }

    /// DELETE: removes the folder's directory (messages, index); children are kept.
    /// - Throws: `.notAllowed` for INBOX, `.noSuchMailbox`.
    public func delete(_ name: String) throws {
        let folder = try Self.folder(name)
        guard folder != .inbox else { throw MailboxError.notAllowed("INBOX cannot be deleted") }
        let directory = directory(of: folder)
        guard (try? DurableFile.status(of: directory)) ?? nil != nil else { throw MailboxError.noSuchMailbox(folder.name) }
        // Out of the way first (one atomic rename, as Dovecot's "DOVECOT-TRASHED"), so a crash
        // mid-removal leaves no half mailbox under the name; `..` names are never folders.
        let trash = "\(maildir)/..moat-deleted-\(MaildirName.unique(size: 0, virtualSize: 0).text)"
        try MailboxError.mappingIO { _ = try DurableFile.rename(directory, to: trash) }
        MailboxStorage.forget(directoryPrefix: directory)
        try? FileManager.default.removeItem(atPath: trash)
    }

    /// RENAME, children included; INBOX's messages move to the new mailbox instead.
    /// - Throws: `.noSuchMailbox`, `.mailboxExists`, `.notAllowed` (into itself).
    public func rename(_ name: String, to newName: String) throws {
        let source = try Self.folder(name)
        let target = try Self.folder(newName)
        guard target != .inbox else { throw MailboxError.mailboxExists("INBOX") }
        let targetDirectory = directory(of: target)
        if (try? DurableFile.status(of: targetDirectory)) ?? nil != nil { throw MailboxError.mailboxExists(target.name) }
        if source == .inbox { return try moveInboxMessages(to: target) }
        guard target.name.lowercased() != source.name.lowercased(),
              !target.name.hasPrefix(source.name + String(Self.separator)) else {
            throw MailboxError.notAllowed("cannot rename \(source.name) into itself")
        }
        let children = try list().filter { $0.name.hasPrefix(source.name + String(Self.separator)) && $0.selectable }
        let sourceDirectory = directory(of: source)
        let sourceExists = (try? DurableFile.status(of: sourceDirectory)) ?? nil != nil
        guard sourceExists || !children.isEmpty else { throw MailboxError.noSuchMailbox(source.name) }
        try MailboxError.mappingIO {
            if sourceExists { _ = try DurableFile.rename(sourceDirectory, to: targetDirectory) }
            for child in children {
                let renamed = target.name + child.name.dropFirst(source.name.count)
                _ = try DurableFile.rename(directory(of: try Self.folder(child.name)),
                                           to: directory(of: try Self.folder(renamed)))
            }
        }
        MailboxStorage.forget(directoryPrefix: sourceDirectory)
    }

    /// Subscribed names, in the order the file keeps them.
    public func subscriptions() throws -> [String] { try SubscriptionsFile(maildir: maildir).read().names }

    /// SUBSCRIBE (a name need not exist, RFC 9051 §6.3.7).
    public func subscribe(_ name: String) throws {
        let file = SubscriptionsFile(maildir: maildir)
        let (names, version) = try file.read()
        let canonical = name.uppercased() == "INBOX" ? "INBOX" : name
        guard !names.contains(canonical) else { return }
        try file.write(names + [canonical], version: version)
    }

    public func unsubscribe(_ name: String) throws {
        let file = SubscriptionsFile(maildir: maildir)
        let (names, version) = try file.read()
        let canonical = name.uppercased() == "INBOX" ? "INBOX" : name
        guard names.contains(canonical) else { return }
        try file.write(names.filter { $0 != canonical }, version: version)
    }

    /// At login: INBOX, Drafts, Sent, Trash and Junk exist, and each one this call
    /// creates is subscribed (a user's later UNSUBSCRIBE is respected).
    public func ensureDefaultMailboxes() throws {
        try createInboxIfMissing()
        for use in SpecialUse.allCases {
            do {
                try create(use.defaultMailboxName)
                try subscribe(use.defaultMailboxName)
            } catch MailboxError.mailboxExists {
                continue
            }
        }
    }

    // MARK: Private

    static func folder(_ name: String) throws -> MaildirFolder {
        do {
            let folder = try MaildirFolder(name)
            guard (folder.directoryName?.utf8.count ?? 0) < 256 else { throw MailboxError.invalidName(name) }
            return folder
        } catch is MailstoreError {
            throw MailboxError.invalidName(name)
        }
    }

    private func directory(of folder: MaildirFolder) -> String {
        folder.directoryName.map { "\(maildir)/\($0)" } ?? maildir
    }

    private func createInboxIfMissing() throws {
        try MailboxError.mappingIO {
            for sub in ["cur", "new", "tmp"] { try DurableFile.makeDirectories("\(maildir)/\(sub)", mode: 0o700) }
        }
    }

    private func moveInboxMessages(to target: MaildirFolder) throws {
        try create(target.name)
        let destination = directory(of: target)
        // The files keep their names (and `U=`): the new mailbox adopts those UIDs at its
        // first sync; INBOX sees them gone at its next.
        try MailboxError.mappingIO {
            for sub in ["cur", "new"] {
                for name in try FolderSync.names(in: "\(maildir)/\(sub)") {
                    _ = try FolderSync.rename("\(maildir)/\(sub)/\(name)", to: "\(destination)/\(sub)/\(name)")
                }
                try DurableFile.syncDirectory("\(destination)/\(sub)")
                try DurableFile.syncDirectory("\(maildir)/\(sub)")
            }
        }
    }
}
