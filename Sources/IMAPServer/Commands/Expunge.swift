import IMAP
import Mailstore

extension IMAPSession {
    /// EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315): removes \Deleted messages, all
    /// or those of a UID set, and says which (EXPUNGE, or VANISHED with QRESYNC).
    func expunge(_ tag: Tag, uids set: SequenceSet?) async -> Next {
        guard let selected else { return .goOn }
        guard !selected.isReadOnly else {
            no(tag, "Mailbox is read-only.", code: .readOnly)
            return .goOn
        }
        var only: [MessageUID]?
        if let set {
            guard let resolved = selected.resolve(set, byUID: true) else {
                bad(tag, "Error in IMAP command UID EXPUNGE: Invalid uidset")
                return .goOn
            }
            only = resolved.map(\.uid)
        }
        do {
            let removed = try await blocking { [only, opener] in
                guard let opener else { return try selected.mailbox.expunge(uids: only) }
                return try opener.expunge(selected.mailbox, uids: only)
            }
            await sendUpdates()
            let numbers = selected.removeExpunged(removed)
            if qresync {
                if !removed.isEmpty { send(.vanished(earlier: false, NumberSet(removed))) }
            } else {
                for number in numbers { send(.expunge(number)) }
            }
            ok(tag, "Expunge completed.", code: set == nil ? nil : nil)
        } catch {
            failed(tag, "EXPUNGE", error)
        }
        return .goOn
    }
}
