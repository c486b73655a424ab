import IMAP
import Mailstore

extension IMAPSession {
    /// COPY and MOVE (RFC 9051 §6.4.7–8, RFC 6851), UID forms too, with UIDPLUS's COPYUID
    /// (RFC 4315). A missing target is NO [TRYCREATE]. MOVE reports the moved messages
    /// expunged (untagged COPYUID first, as RFC 6851 §4.3 shows).
    func copyOrMove(_ tag: Tag, _ copy: CopyCommand, move: Bool) async -> Next {
        guard let selected, let mailboxes else { return .goOn }
        let name = move ? "MOVE" : "COPY"
        guard let messages = selected.resolve(copy.set, byUID: copy.byUID) else {
            bad(tag, "Error in IMAP command \(copy.byUID ? "UID " : "")\(name): Invalid messageset")
            return .goOn
        }
        if move && selected.isReadOnly {
            no(tag, "Mailbox is read-only.", code: .readOnly)
            return .goOn
        }
        guard let target = storeName(tag, copy.mailbox) else { return .goOn }
        let uids = messages.map(\.uid)
        if isQuarantine(target) {
            no(tag, Self.quarantineIsReadOnly, code: .cannot)
            return .goOn
        }
        if isQuarantine(selected.mailbox.name) {
            return await copyOutOfQuarantine(tag, selected, uids: uids, target: target, command: name)
        }
        let lesson = junk == nil ? nil : JunkLesson.of(from: selected.mailbox.name, to: target)
        do {
            let (mappings, uidValidity, taught) = try await blocking { () throws -> ([UIDMapping], UInt32, [[UInt8]]) in
                let destination: IndexedMailbox
                do {
                    destination = try mailboxes.open(target)
                } catch MailboxError.noSuchMailbox {
                    throw CopyTargetMissing()
                }
                // Read before a MOVE takes them away; a message that cannot be read is not taught.
                let taught = lesson == nil ? [] : uids.compactMap { try? selected.mailbox.message(uid: $0) }
                let mappings = move ? try selected.mailbox.move(uids: uids, to: destination)
                    : try selected.mailbox.copy(uids: uids, to: destination)
                return (mappings, destination.snapshot.uidValidity, taught)
            }
            teach(lesson, taught, command: name, target: target)
            let code: ResponseCode? = mappings.isEmpty ? nil
                : .copyUID(uidValidity: uidValidity, source: NumberSet(mappings.map(\.source)),
                           destination: NumberSet(mappings.map(\.destination)))
            if move {
                if let code { send(.condition(.ok, ResponseText(code: code, "Moved UIDs."))) }
                // The moved messages go first: a MOVE into the same mailbox then shows the
                // copies as new after the originals' EXPUNGE (RFC 6851 §3.3).
                let numbers = selected.removeExpunged(mappings.map(\.source))
                if qresync {
                    if !mappings.isEmpty { send(.vanished(earlier: false, NumberSet(mappings.map(\.source)))) }
                } else {
                    for number in numbers { send(.expunge(number)) }
                }
                await sendUpdates(expungeAllowed: true)
                ok(tag, "Move completed.")
            } else {
                await sendUpdates(expungeAllowed: copy.byUID)
                ok(tag, "Copy completed.", code: code)
            }
        } catch is CopyTargetMissing {
            no(tag, "Mailbox doesn't exist: \(target)", code: .tryCreate)
        } catch {
            failed(tag, name, error)
        }
        return .goOn
    }
}

private struct CopyTargetMissing: Error {}
