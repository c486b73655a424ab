import Directory
import Foundation
import Mailstore

/// The user's read-only `Quarantine` mailbox: a `MirroredFolder` in `<Maildir>/moat-quarantine`
/// (outside the Maildir++ folders, so it counts toward no quota and other readers skip it)
/// that is brought up to date with the quarantine whenever it is selected, examined,
/// asked for its STATUS or NOOPed. Its messages are named after their mail IDs; flags are
/// the user's, kept in its index like any mailbox's.
///
/// Nothing can be appended, copied or moved into it. Moving or copying out releases to
/// the user (into Trash or Junk deletes instead); EXPUNGE deletes for the user. Both are
/// recorded in the quarantine, so the next refresh keeps them out.
public struct QuarantineFolder: Sendable {
    /// The IMAP name, `[imap] quarantine_folder`.
    public let name: String
    let source: any QuarantineSource

    /// The view's directory inside each Maildir.
    static let directoryName = "moat-quarantine"

    public init(name: String, source: any QuarantineSource) {
        self.name = name
        self.source = source
    }

    func mirror(maildir: String) -> MirroredFolder {
        MirroredFolder(directory: "\(maildir)/\(Self.directoryName)", tag: "quarantine")
    }

    /// Brings the user's view up to date: what was quarantined for them since appears, what
    /// was released, deleted or purged goes.
    @discardableResult
    func refresh(for user: Mailbox, maildir: String) throws -> MirroredFolder.Outcome {
        let wanted = try source.messages(for: user).map { MirroredFolder.Item(id: $0.mailID, date: $0.date) }
        return try mirror(maildir: maildir).reconcile(wanted: wanted) { id in try source.presentation(of: id, for: user) }
    }

    /// The view, refreshed, as a mailbox to select (`readOnly` for EXAMINE) or to STATUS.
    func open(for user: Mailbox, maildir: String, readOnly: Bool) throws -> (IndexedMailbox, MirroredFolder.Outcome) {
        let outcome = try refresh(for: user, maildir: maildir)
        let mailbox = try IndexedMailbox(directory: mirror(maildir: maildir).directory, name: name, readOnly: readOnly)
        return (mailbox, outcome)
    }

    /// The mail IDs of `uids` in the view `mailbox` (as its snapshot names them).
    func mailIDs(of uids: [MessageUID], in mailbox: IndexedMailbox, maildir: String) -> [String] {
        let wanted = Set(uids)
        let mirror = mirror(maildir: maildir)
        return mailbox.snapshot.messages.filter { wanted.contains($0.uid) }.compactMap { mirror.itemID(baseName: $0.baseName) }
    }

    /// EXPUNGE in the view: the \Deleted messages (of `only`, if given) are deleted for the
    /// user in the quarantine first, so a crash before the files go cannot bring them back.
    func expunge(_ mailbox: IndexedMailbox, uids only: [MessageUID]?, user: Mailbox, maildir: String) throws -> [MessageUID] {
        let scope = only.map(Set.init)
        let doomed = mailbox.snapshot.messages.filter { $0.flags.contains(.deleted) && scope?.contains($0.uid) ?? true }
        try source.dismiss(mailIDs(of: doomed.map(\.uid), in: mailbox, maildir: maildir), for: user)
        let before = mailbox.snapshot.messages
        let removed = try mailbox.expunge(uids: only)
        // Flagged \Deleted by another session since this one last looked: deleted as well,
        // recorded after the unlink (this handle did not know of them before).
        let late = Set(removed).subtracting(doomed.map(\.uid))
        if !late.isEmpty {
            let mirror = mirror(maildir: maildir)
            try source.dismiss(before.filter { late.contains($0.uid) }.compactMap { mirror.itemID(baseName: $0.baseName) },
                               for: user)
        }
        return removed
    }

    /// Whether moving or copying out of the view into `target` deletes rather than releases:
    /// a client's "delete" is a move into Trash, and putting spam into Junk says the same.
    func deletes(into target: String) -> Bool {
        let use = SpecialUse(mailboxName: target)
        return use == .trash || use == .junk
    }
}
