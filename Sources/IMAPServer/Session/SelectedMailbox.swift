import Foundation
import IMAP
import Mailstore
import MoatCore

/// The mailbox a session has selected, as the client knows it: which UID each sequence
/// number stands for, and what of the store's changes it has not been told yet. Expunges
/// wait while a command works on sequence numbers (RFC 9051 §7.5.1); everything else goes
/// out before the next tagged reply. Safe to share with the IDLE watcher task.
final class SelectedMailbox: Sendable {
    let mailbox: IndexedMailbox
    let isReadOnly: Bool
    let uidValidity: UInt32
    private let state: Locked<State>

    private struct State {
        /// Sequence number n is `uids[n - 1]`.
        var uids: [MessageUID]
        /// Expunges the store reported that the client has not been told, with what the index
        /// last knew of each: they keep their sequence numbers (and match index keys) until told.
        var pendingExpunges: [MessageUID: IndexedMessage] = [:]
        var keywords: [String]
        /// RFC 5182 `$`: the UIDs the last SEARCH RETURN (SAVE) kept.
        var savedSearch: [MessageUID] = []
        /// RFC 3501 \Recent: the messages this session was the first to be shown.
        var recent: Set<MessageUID> = []
    }

    /// - Parameter recent: the UIDs that are \Recent for this session (`IndexedMailbox.claimRecent`).
    init(_ mailbox: IndexedMailbox, recent: [MessageUID]) {
        self.mailbox = mailbox
        isReadOnly = mailbox.isReadOnly
        let snapshot = mailbox.snapshot
        uidValidity = snapshot.uidValidity
        state = Locked(State(uids: snapshot.messages.map(\.uid), keywords: snapshot.keywords, recent: Set(recent)))
    }

    var recent: Set<MessageUID> { state.withLock { $0.recent } }

    /// The flags the client is shown: the stored ones, and \Recent (IMAP4rev1) where it applies.
    func flags(of message: IndexedMessage, rev1: Bool) -> [Flag] {
        let stored = IMAPFlags.wire(message.flags, keywords: message.keywords)
        return rev1 && recent.contains(message.uid) ? stored + [.recent] : stored
    }

    var count: Int { state.withLock { $0.uids.count } }
    var uids: [MessageUID] { state.withLock { $0.uids } }
    var keywords: [String] { state.withLock { $0.keywords } }

    var savedSearch: [MessageUID] {
        get { state.withLock { $0.savedSearch } }
        set { state.withLock { $0.savedSearch = newValue } }
    }

    /// The sequence number of `uid`, if the client knows it.
    func sequenceNumber(of uid: MessageUID) -> UInt32? {
        state.withLock { state in Self.index(of: uid, in: state.uids).map { UInt32($0 + 1) } }
    }

    /// The messages as the client numbers them: the index's records, and for expunges it has
    /// not been told yet, the last ones the index had.
    func messagesInView() -> [IndexedMessage] {
        let current = Dictionary(mailbox.snapshot.messages.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
        return state.withLock { state in state.uids.compactMap { current[$0] ?? state.pendingExpunges[$0] } }
    }

    /// Where `uid` sits in `uids` (ascending: UIDs only grow), by binary search.
    static func index(of uid: MessageUID, in uids: [MessageUID]) -> Int? {
        uids.position(ofUID: uid) { $0 }
    }

    /// The positions of `uids` whose values fall in `range`, by binary search.
    private static func positions(in range: ClosedRange<UInt32>, of uids: [MessageUID]) -> Range<Int> {
        var low = 0, high = uids.count
        while low < high {
            let middle = (low + high) / 2
            if uids[middle] < range.lowerBound { low = middle + 1 } else { high = middle }
        }
        var end = low
        var top = uids.count
        while end < top {
            let middle = (end + top) / 2
            if uids[middle] <= range.upperBound { end = middle + 1 } else { top = middle }
        }
        return low..<end
    }

    /// The messages a set names, as (sequence number, UID) in ascending order; nil when a
    /// sequence number is out of range (BAD, as Dovecot: "Invalid messageset").
    func resolve(_ set: SequenceSet, byUID: Bool) -> [(sequence: UInt32, uid: MessageUID)]? {
        state.withLock { state in
            let uids = state.uids
            switch set {
            case .savedResult:
                let saved = Set(state.savedSearch)
                return uids.enumerated().filter { saved.contains($0.element) }.map { (UInt32($0.offset + 1), $0.element) }
            case .ranges(let ranges):
                // Each range is walked once, merged with the others: `1:*,1:*,…` costs no more
                // than `1:*`.
                var positions = IndexSet()
                if byUID {
                    let largest = uids.last ?? 0
                    for range in ranges { positions.insert(integersIn: Self.positions(in: range.resolved(largest: largest), of: uids)) }
                } else {
                    for range in ranges {
                        let resolved = range.resolved(largest: UInt32(uids.count))
                        guard resolved.lowerBound >= 1, resolved.upperBound <= UInt32(uids.count) else { return nil }
                        positions.insert(integersIn: Int(resolved.lowerBound - 1)..<Int(resolved.upperBound))
                    }
                }
                return positions.map { (UInt32($0 + 1), uids[$0]) }
            }
        }
    }

    /// What the session must tell the client about changes since it last looked: `EXPUNGE`
    /// (or `VANISHED` with QRESYNC) unless `expungeAllowed` is false, `EXISTS` for new mail,
    /// `FETCH` with the new flags. Blocking (the store syncs): call off the event loop.
    func updates(expungeAllowed: Bool, condStore: Bool, qresync: Bool, rev1: Bool) throws -> [UntaggedResponse] {
        guard mailbox.exists else { throw MailboxError.noSuchMailbox(mailbox.name) }
        let before = mailbox.snapshot.messages
        let changes = try mailbox.sync()
        let claimed = changes.added.isEmpty ? [] : (isReadOnly ? changes.added.map(\.uid) : try mailbox.claimRecent())
        return state.withLock { state in
            var out: [UntaggedResponse] = []
            if !changes.expunged.isEmpty {
                let known = Dictionary(before.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
                for uid in changes.expunged {
                    state.pendingExpunges[uid] = known[uid]
                        ?? IndexedMessage(uid: uid, flags: [], keywords: [], modSeq: 0, size: 0, internalDate: 0, baseName: "")
                }
            }
            if expungeAllowed && !state.pendingExpunges.isEmpty {
                let gone = state.pendingExpunges.keys.sorted()
                if qresync {
                    state.uids.removeAll { state.pendingExpunges[$0] != nil }
                    out.append(.vanished(earlier: false, NumberSet(gone)))
                } else {
                    for uid in gone {
                        guard let index = Self.index(of: uid, in: state.uids) else { continue }
                        state.uids.remove(at: index)
                        out.append(.expunge(UInt32(index + 1)))
                    }
                }
                state.pendingExpunges.removeAll()
            }
            if changes.keywords != state.keywords {
                state.keywords = changes.keywords
                out.append(.flags(Self.flagList(keywords: changes.keywords)))
                if !isReadOnly {
                    out.append(.condition(.ok, ResponseText(code: .permanentFlags(Self.flagList(keywords: changes.keywords)
                                                                               + [.mayCreateKeywords]), "Flags permitted.")))
                }
            }
            let known = Set(state.uids)
            let added = changes.added.filter { !known.contains($0.uid) }
            if !added.isEmpty {
                state.uids.append(contentsOf: added.map(\.uid).sorted())
                state.recent.formUnion(claimed)
                out.append(.exists(UInt32(state.uids.count)))
                if rev1 { out.append(.recent(UInt32(state.recent.count))) }
            }
            for message in changes.flagsChanged {
                guard let index = Self.index(of: message.uid, in: state.uids) else { continue }
                var flags = IMAPFlags.wire(message.flags, keywords: message.keywords)
                if rev1 && state.recent.contains(message.uid) { flags.append(.recent) }
                var attributes: [MessageAttribute] = [.flags(flags)]
                if qresync { attributes.insert(.uid(message.uid), at: 0) }
                if condStore { attributes.append(.modSeq(message.modSeq)) }
                out.append(.fetch(UInt32(index + 1), attributes))
            }
            return out
        }
    }

    /// Takes expunged messages out of the view after the session's own EXPUNGE reported them.
    func removeExpunged(_ uids: [MessageUID]) -> [UInt32] {
        state.withLock { state in
            var numbers: [UInt32] = []
            for uid in uids.sorted() {
                guard let index = Self.index(of: uid, in: state.uids) else { continue }
                state.uids.remove(at: index)
                state.pendingExpunges[uid] = nil
                state.recent.remove(uid)
                numbers.append(UInt32(index + 1))
            }
            return numbers
        }
    }

    static func flagList(keywords: [String]) -> [Flag] {
        IMAPFlags.system + keywords.map { .keyword($0) }
    }
}
