import Directory
import IMAP
import Mailstore

extension IMAPSession {
    /// COPY or MOVE out of the Quarantine view. Into Trash or Junk it deletes the messages
    /// for the user; anywhere else it releases each to the user alone through the library
    /// release (recorded, logged), after which they arrive as new mail and leave the view.
    /// A virus is never released by a user: the whole command is refused before anything
    /// is done. No COPYUID: the released copies are delivered, not stored here.
    func copyOutOfQuarantine(_ tag: Tag, _ selected: SelectedMailbox, uids: [MessageUID], target: String,
                             command: String) async -> Next {
        guard let quarantine, let opener, let user else { return .goOn }
        // Releasing or deleting takes messages out of a mailbox the client opened read-only.
        guard !selected.isReadOnly else {
            no(tag, "Mailbox is read-only.", code: .readOnly)
            return .goOn
        }
        let deleting = quarantine.deletes(into: target)
        let maildir = opener.maildir
        let chosen: [QuarantinedMessage]
        do {
            chosen = try await blocking {
                if !deleting {
                    do {
                        _ = try opener.mailboxes.status(target)
                    } catch MailboxError.noSuchMailbox {
                        throw QuarantineTargetMissing()
                    }
                }
                let ids = Set(quarantine.mailIDs(of: uids, in: selected.mailbox, maildir: maildir))
                // Gone meanwhile (released or deleted in another session): nothing to do for those.
                return try quarantine.source.messages(for: user).filter { ids.contains($0.mailID) }
            }
        } catch is QuarantineTargetMissing {
            no(tag, "Mailbox doesn't exist: \(target)", code: .tryCreate)
            return .goOn
        } catch {
            failed(tag, command, error)
            return .goOn
        }
        if deleting {
            do {
                try await blocking {
                    try quarantine.source.dismiss(chosen.map(\.mailID), for: user)
                    try quarantine.refresh(for: user, maildir: maildir)
                }
            } catch {
                failed(tag, command, error)
                return .goOn
            }
            logger.info("imap(\(user.address)): \(command) into \(target): deleted \(chosen.count) message(s) from the quarantine")
            await sendUpdates(expungeAllowed: true)
            ok(tag, "\(command == "MOVE" ? "Move" : "Copy") completed; deleted from the quarantine.")
            return .goOn
        }
        if let virus = chosen.first(where: { !$0.releasable }) {
            no(tag, "virus-\(virus.mailID) holds a virus and cannot be released from here; ask your postmaster, quoting that reference.",
               code: .cannot)
            return .goOn
        }
        var released: [QuarantinedMessage] = []
        var refusals: [String] = []
        // Read before the release takes them out of the view: releasing spam teaches ham.
        let taught = junk == nil ? [:] : await spamBytes(chosen, selected: selected, quarantine: quarantine, maildir: maildir)
        for message in chosen {
            do {
                try await quarantine.source.release(message, to: user)
                released.append(message)
            } catch {
                // A refusal is said in words for the user; anything else stays in the log.
                refusals.append(error is QuarantineRefusal ? "\(error)" : "\(message.mailID): internal error, see the server log")
                logger.warning("imap(\(user.address)): release of \(message.mailID) failed: \(error)")
            }
        }
        teach(released.isEmpty ? nil : .ham, released.compactMap { taught[$0.mailID] }, command: command,
              target: "\(target) (released from the quarantine)")
        await refreshSelectedQuarantine()
        await sendUpdates(expungeAllowed: true)
        if refusals.isEmpty {
            ok(tag, "Released \(released.count) message(s) to \(user.address); they arrive as new mail.")
        } else {
            no(tag, "Released \(released.count) of \(chosen.count) message(s): \(refusals.joined(separator: "; "))", code: .unavailable)
        }
        return .goOn
    }

    /// The bytes of the chosen spam messages, by mail ID, for Bayes.
    private func spamBytes(_ chosen: [QuarantinedMessage], selected: SelectedMailbox, quarantine: QuarantineFolder,
                           maildir: String) async -> [String: [UInt8]] {
        let spam = chosen.filter(\.isSpam).map(\.mailID)
        guard !spam.isEmpty else { return [:] }
        return (try? await blocking { () throws -> [String: [UInt8]] in
            let mirror = quarantine.mirror(maildir: maildir)
            var bytes: [String: [UInt8]] = [:]
            for message in selected.mailbox.snapshot.messages {
                if let id = mirror.itemID(baseName: message.baseName), spam.contains(id) {
                    bytes[id] = try? selected.mailbox.message(uid: message.uid)
                }
            }
            return bytes
        }) ?? [:]
    }

    /// With the Quarantine view selected, brings it up to date (the changes then go out as
    /// untagged updates like any mailbox's).
    func refreshSelectedQuarantine() async {
        guard let selected, isQuarantine(selected.mailbox.name), let quarantine, let opener, let user else { return }
        let maildir = opener.maildir
        do {
            let outcome = try await blocking { try quarantine.refresh(for: user, maildir: maildir) }
            logRefreshFailures(outcome.failures)
        } catch {
            logger.error("imap(\(user.address)): quarantine refresh failed: \(error)")
        }
    }

    /// At login: the view exists and, the first time, is subscribed (a later UNSUBSCRIBE stays).
    func prepareQuarantineView(_ mailboxes: UserMailboxes, user: Mailbox) throws {
        guard let quarantine else { return }
        if try quarantine.mirror(maildir: mailboxes.maildir).create() {
            try mailboxes.subscribe(quarantine.name)
        }
        // A Maildir++ folder of that name (left by another setup) is hidden behind the view.
        if try mailboxes.list().contains(where: { $0.name == quarantine.name && $0.selectable }) {
            logger.warning("""
                imap(\(user.address)): the folder \(quarantine.name) in the Maildir is hidden by the quarantine \
                view; rename it (on disk) or set [imap] quarantine_folder to another name
                """)
        }
    }

    /// The refusal of a command that would write into the Quarantine view, or change it as a mailbox.
    static let quarantineIsReadOnly = "The quarantine is read-only: messages cannot be put into it."
}

private struct QuarantineTargetMissing: Error {}
