import IMAP
import Mailstore

extension IMAPSession {
    /// SELECT and EXAMINE (RFC 9051 §6.3.2–3), with CONDSTORE and QRESYNC (RFC 7162): the
    /// mailbox's flags, counts and UID facts, then OK [READ-WRITE] or [READ-ONLY]. A failed
    /// SELECT leaves no mailbox selected; one that replaces a selected mailbox says CLOSED first.
    func select(_ tag: Tag, _ name: MailboxName, _ parameters: [SelectParameter], readOnly: Bool) async -> Next {
        if selected != nil {
            selected = nil
            state = .authenticated
            // RFC 7162 §3.2.11 and RFC 9051 §6.3.2: where the old mailbox's responses end.
            if qresync || !rev1 { send(.condition(.ok, ResponseText(code: .closed, "Previous mailbox closed."))) }
        }
        var qresyncParameter: QResyncParameter?
        for parameter in parameters {
            switch parameter {
            case .condStore: enabled.insert("CONDSTORE")
            case .qresync(let value):
                guard qresync else {
                    bad(tag, "QRESYNC isn't enabled")
                    return .goOn
                }
                qresyncParameter = value
            }
        }
        guard let storeName = storeName(tag, name), let opener else { return .goOn }
        let opened: IndexedMailbox
        let recent: [MessageUID]
        do {
            let failures: [(id: String, error: any Error)]
            (opened, recent, failures) = try await blocking { () throws -> (IndexedMailbox, [MessageUID], [(id: String, error: any Error)]) in
                let (mailbox, failures) = try opener.open(storeName, readOnly: readOnly)
                if !readOnly { return (mailbox, try mailbox.claimRecent(), failures) }
                // EXAMINE shows what is recent without taking it from the next SELECT.
                let count = try mailbox.status().recent
                return (mailbox, Array(mailbox.snapshot.messages.suffix(count).map(\.uid)), failures)
            }
            logRefreshFailures(failures)
        } catch {
            failed(tag, "SELECT", error)
            return .goOn
        }
        if opened.openOutcome != .existing {
            logger.notice("imap(\(user?.address ?? "?")): mailbox \(storeName): index \(opened.openOutcome)")
        }
        let mailbox = SelectedMailbox(opened, recent: recent)
        let snapshot = opened.snapshot
        let flags = SelectedMailbox.flagList(keywords: snapshot.keywords)
        send(.flags(flags))
        send(.condition(.ok, ResponseText(code: .permanentFlags(readOnly ? [] : flags + [.mayCreateKeywords]),
                                          readOnly ? "Read-only mailbox." : "Flags permitted.")))
        send(.exists(UInt32(snapshot.messages.count)))
        if rev1 {
            send(.recent(UInt32(recent.count)))
            if let firstUnseen = snapshot.messages.firstIndex(where: { !$0.flags.contains(.seen) }) {
                send(.condition(.ok, ResponseText(code: .unseen(UInt32(firstUnseen + 1)), "First unseen.")))
            }
        }
        send(.condition(.ok, ResponseText(code: .uidValidity(snapshot.uidValidity), "UIDs valid")))
        send(.condition(.ok, ResponseText(code: .uidNext(snapshot.uidNext), "Predicted next UID")))
        send(.condition(.ok, ResponseText(code: .highestModSeq(snapshot.highestModSeq), "Highest")))
        if let qresyncParameter, qresyncParameter.uidValidity == snapshot.uidValidity {
            await resynchronise(mailbox, since: qresyncParameter)
        }
        selected = mailbox
        state = .selected
        ok(tag, "\(readOnly ? "Examine" : "Select") completed.", code: readOnly ? .readOnly : .readWrite)
        return .goOn
    }

    /// QRESYNC's catch-up (RFC 7162 §3.2.5.1): what vanished since the client's MODSEQ, and
    /// the flags of what changed.
    private func resynchronise(_ mailbox: SelectedMailbox, since parameter: QResyncParameter) async {
        let known: [ClosedRange<UInt32>]?
        if case .ranges(let ranges)? = parameter.knownUIDs {
            known = ranges.map { $0.resolved(largest: UInt32.max) }
        } else {
            known = nil
        }
        do {
            let (vanished, messages) = try await blocking {
                (try mailbox.mailbox.expunged(since: parameter.modSeq), mailbox.mailbox.snapshot.messages)
            }
            let reported = vanished.filter { uid in known.map { $0.contains { $0.contains(uid) } } ?? true }
            if !reported.isEmpty { send(.vanished(earlier: true, NumberSet(reported))) }
            for (index, message) in messages.enumerated() where message.modSeq > parameter.modSeq {
                send(.fetch(UInt32(index + 1), [.uid(message.uid), .flags(mailbox.flags(of: message, rev1: rev1)),
                                                 .modSeq(message.modSeq)]))
            }
        } catch {
            logger.error("imap(\(user?.address ?? "?")): QRESYNC of \(mailbox.mailbox.name) failed: \(error)")
        }
    }
}
