import Mailstore
import MoatCore

/// The user's INBOX as a POP3 maildrop, through the Mailstore API: the messages as they
/// were at login (RFC 1939: numbers do not change during a session), UIDLs in Dovecot's
/// `pop3_uidl_format`, and at QUIT one update that flags what was retrieved `\Seen` and
/// removes what was deleted, as Dovecot's POP3 does by default.
public struct MailstoreMaildrop: POP3Maildrop {
    private let mailbox: IndexedMailbox
    private let uids: [MessageUID]
    public let messages: [POP3Listing]

    /// Opens the INBOX of the Maildir at `maildir`, creating the user's default mailboxes on
    /// a first login as Dovecot's autocreate does.
    public init(maildir: String, uidlFormat: UIDLFormat) throws {
        let mailboxes = UserMailboxes(maildir: maildir)
        try mailboxes.ensureDefaultMailboxes()
        mailbox = try mailboxes.open("INBOX")
        let snapshot = mailbox.snapshot
        uids = snapshot.messages.map(\.uid)
        messages = snapshot.messages.map {
            POP3Listing(uidl: uidlFormat.uidl(uid: $0.uid, uidValidity: snapshot.uidValidity, baseName: $0.baseName),
                        size: Int($0.size))
        }
    }

    public func content(at index: Int) throws -> [UInt8] {
        try mailbox.message(uid: uids[index])
    }

    public func commit(deleting: [Int], retrieved: [Int]) throws {
        let seen = retrieved.map { uids[$0] }
        if !seen.isEmpty { _ = try mailbox.store(FlagChange(.add, flags: .seen), uids: seen) }
        let gone = deleting.map { uids[$0] }
        guard !gone.isEmpty else { return }
        _ = try mailbox.store(FlagChange(.add, flags: .deleted), uids: gone)
        _ = try mailbox.expunge(uids: gone)
    }
}
