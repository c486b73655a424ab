import Directory
import Mailstore

/// Opens a user's mailboxes by IMAP name for SELECT, EXAMINE, STATUS and COPY targets: the
/// Maildir++ folders through `UserMailboxes`, and the Quarantine view (refreshed first)
/// through `QuarantineFolder`. A value, so blocking work can take it off the session.
struct MailboxOpener: Sendable {
    let mailboxes: UserMailboxes
    let quarantine: QuarantineFolder?
    let user: Mailbox

    var maildir: String { mailboxes.maildir }

    /// The mailbox `name`, and for the Quarantine view what its refresh could not add.
    func open(_ name: String, readOnly: Bool) throws -> (IndexedMailbox, failures: [(id: String, error: any Error)]) {
        if let quarantine, quarantine.name == name {
            let (mailbox, outcome) = try quarantine.open(for: user, maildir: maildir, readOnly: readOnly)
            return (mailbox, outcome.failures)
        }
        return (try mailboxes.open(name, readOnly: readOnly), [])
    }

    func status(_ name: String) throws -> MailboxStatus {
        guard let quarantine, quarantine.name == name else { return try mailboxes.status(name) }
        try quarantine.refresh(for: user, maildir: maildir)
        return try IndexedMailbox.status(directory: quarantine.mirror(maildir: maildir).directory, name: name)
    }

    /// EXPUNGE of `mailbox` (the selected one): in the Quarantine view what goes is deleted
    /// for this user in the quarantine too.
    func expunge(_ mailbox: IndexedMailbox, uids: [MessageUID]?) throws -> [MessageUID] {
        guard let quarantine, quarantine.name == mailbox.name else { return try mailbox.expunge(uids: uids) }
        return try quarantine.expunge(mailbox, uids: uids, user: user, maildir: maildir)
    }
}

extension IMAPSession {
    /// The logged-in user's opener (nil before login).
    var opener: MailboxOpener? {
        guard let mailboxes, let user else { return nil }
        return MailboxOpener(mailboxes: mailboxes, quarantine: quarantine, user: user)
    }

    /// Whether `name` is the Quarantine view.
    func isQuarantine(_ name: String) -> Bool { quarantine?.name == name }

    /// Logs the quarantined messages a refresh could not show (their files unreadable).
    func logRefreshFailures(_ failures: [(id: String, error: any Error)]) {
        for failure in failures {
            logger.error("imap(\(user?.address ?? "?")): quarantine \(failure.id) not shown: \(failure.error)")
        }
    }
}
