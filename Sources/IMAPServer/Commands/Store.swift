import IMAP
import Mailstore

extension IMAPSession {
    /// STORE and UID STORE (RFC 9051 §6.4.6) with UNCHANGEDSINCE (RFC 7162 §3.1.3): the new
    /// flags come back as FETCH unless .SILENT (with MODSEQ under CONDSTORE, always for
    /// messages another session changed); messages modified since are named in [MODIFIED].
    func storeCommand(_ tag: Tag, _ store: StoreCommand) async -> Next {
        guard let selected else { return .goOn }
        guard !selected.isReadOnly else {
            no(tag, "Mailbox is read-only.", code: .readOnly)
            return .goOn
        }
        guard let messages = selected.resolve(store.set, byUID: store.byUID) else {
            bad(tag, "Error in IMAP command \(store.byUID ? "UID " : "")STORE: Invalid messageset")
            return .goOn
        }
        let flags: MessageFlags
        let keywords: [String]
        switch IMAPFlags.store(store.flags) {
        case .success(let parsed): (flags, keywords) = parsed
        case .failure(let unsettable):
            bad(tag, "Error in IMAP command STORE: Invalid system flag \(unsettable.flag.wire)")
            return .goOn
        }
        if store.unchangedSince != nil { await enableCondStore() }
        let operation: FlagChange.Operation = switch store.operation {
        case .add: .add
        case .remove: .remove
        case .replace: .replace
        }
        let change = FlagChange(operation, flags: flags, keywords: keywords)
        let uids = messages.map(\.uid)
        do {
            let result = try await blocking { try selected.mailbox.store(change, uids: uids, unchangedSince: store.unchangedSince) }
            await sendUpdates(expungeAllowed: store.byUID)
            if !store.silent || condStore {
                for message in result.changed {
                    guard let number = selected.sequenceNumber(of: message.uid) else { continue }
                    var attributes: [MessageAttribute] = []
                    if !store.silent { attributes.append(.flags(selected.flags(of: message, rev1: rev1))) }
                    if store.byUID || qresync { attributes.insert(.uid(message.uid), at: 0) }
                    if condStore { attributes.append(.modSeq(message.modSeq)) }
                    if attributes.contains(where: { if case .uid = $0 { false } else { true } }) {
                        send(.fetch(number, attributes))
                    }
                }
            }
            if result.modified.isEmpty {
                ok(tag, "Store completed.")
            } else {
                let modified = store.byUID ? result.modified : result.modified.compactMap { selected.sequenceNumber(of: $0) }
                ok(tag, "Conditional store failed.", code: .modified(NumberSet(modified)))
            }
        } catch {
            failed(tag, "STORE", error)
        }
        return .goOn
    }
}
