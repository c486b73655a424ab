import IMAP
import Mailstore

extension IMAPSession {
    /// CREATE (RFC 9051 §6.3.4): a trailing separator only says the name will have children.
    func create(_ tag: Tag, _ name: MailboxName) async -> Next {
        guard var storeName = storeName(tag, name), let mailboxes else { return .goOn }
        if storeName.hasSuffix(".") { storeName.removeLast() }
        let name = storeName
        guard name.uppercased() != "INBOX", !isQuarantine(name) else {
            no(tag, "Mailbox already exists.", code: .alreadyExists)
            return .goOn
        }
        do {
            try await blocking { try mailboxes.create(name) }
            ok(tag, "Create completed.")
        } catch {
            failed(tag, "CREATE", error)
        }
        return .goOn
    }

    /// DELETE (RFC 9051 §6.3.5): not INBOX, not the selected mailbox's own handle (closed first).
    func delete(_ tag: Tag, _ name: MailboxName) async -> Next {
        guard let storeName = storeName(tag, name), let mailboxes else { return .goOn }
        guard !isQuarantine(storeName) else {
            no(tag, "The quarantine cannot be deleted.", code: .cannot)
            return .goOn
        }
        do {
            try await blocking { try mailboxes.delete(storeName) }
            // Only a mailbox that is gone stops being selected (a refused DELETE changes nothing).
            if let selected, selected.mailbox.name == storeName {
                self.selected = nil
                state = .authenticated
            }
            ok(tag, "Delete completed.")
        } catch {
            failed(tag, "DELETE", error)
        }
        return .goOn
    }

    /// RENAME (RFC 9051 §6.3.6): children go along; INBOX's messages move to the new name.
    func rename(_ tag: Tag, _ from: MailboxName, _ to: MailboxName) async -> Next {
        guard let old = storeName(tag, from), let new = storeName(tag, to), let mailboxes else { return .goOn }
        guard !isQuarantine(old) else {
            no(tag, "The quarantine cannot be renamed.", code: .cannot)
            return .goOn
        }
        guard !isQuarantine(new) else {
            no(tag, "Mailbox already exists.", code: .alreadyExists)
            return .goOn
        }
        do {
            try await blocking { try mailboxes.rename(old, to: new) }
            ok(tag, "Rename completed.")
        } catch {
            failed(tag, "RENAME", error)
        }
        return .goOn
    }

    /// SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.7–8), in Dovecot's subscriptions file.
    func subscribe(_ tag: Tag, _ name: MailboxName, _ on: Bool) async -> Next {
        guard let storeName = storeName(tag, name), let mailboxes else { return .goOn }
        do {
            try await blocking { on ? try mailboxes.subscribe(storeName) : try mailboxes.unsubscribe(storeName) }
            ok(tag, on ? "Subscribe completed." : "Unsubscribe completed.")
        } catch {
            failed(tag, on ? "SUBSCRIBE" : "UNSUBSCRIBE", error)
        }
        return .goOn
    }

    /// CLOSE (RFC 9051 §6.4.1): removes \Deleted messages silently (not in EXAMINE), deselects.
    func close(_ tag: Tag) async -> Next {
        if let selected, !selected.isReadOnly {
            do {
                _ = try await blocking { [opener] in
                    guard let opener else { return try selected.mailbox.expunge() }
                    return try opener.expunge(selected.mailbox, uids: nil)
                }
            } catch {
                logger.error("imap(\(user?.address ?? "?")): CLOSE's expunge failed: \(error)")
            }
        }
        selected = nil
        state = .authenticated
        ok(tag, "Close completed.")
        return .goOn
    }

    /// UNSELECT (RFC 3691): deselects without expunging.
    func unselect(_ tag: Tag) -> Next {
        selected = nil
        state = .authenticated
        ok(tag, "Unselect completed.")
        return .goOn
    }
}
