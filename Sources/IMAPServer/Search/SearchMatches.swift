import IMAP
import Mailstore

/// The messages a search matched, in sequence order (or, from SORT, in sort order).
public struct SearchMatches: Hashable, Sendable {
    public var messages: [MatchedMessage]
    /// The key had a MODSEQ criterion: replies carry the highest MODSEQ (RFC 7162 §3.1.5).
    public var usesModSeq: Bool

    public init(messages: [MatchedMessage], usesModSeq: Bool) {
        self.messages = messages
        self.usesModSeq = usesModSeq
    }

    /// Sequence numbers, or UIDs for the UID forms, in this result's order.
    public func numbers(byUID: Bool) -> [UInt32] { messages.map { byUID ? $0.message.uid : $0.sequence } }

    /// The highest MODSEQ of `messages` when the key used MODSEQ and something matched.
    func highestModSeq(of messages: some Collection<MatchedMessage>) -> ModSeq? {
        guard usesModSeq else { return nil }
        return messages.map(\.message.modSeq).max()
    }

    /// The reply to SEARCH or SORT: `* SEARCH`/`* SORT` without RETURN, else `* ESEARCH`
    /// (RFC 4731, RFC 5267 ESORT), and the new `$` when SAVE was asked (RFC 5182).
    ///
    /// - `RETURN ()` means ALL. MIN/MAX are left out when nothing matched, COUNT never.
    /// - SORT's MIN/MAX are the first/last message in sort order and ALL keeps that order.
    /// - SAVE keeps what MIN and/or MAX return when only those were asked, else everything
    ///   (RFC 5182 §2.4); SAVE alone sends no ESEARCH.
    /// - MODSEQ: the highest MODSEQ among the messages the reply returns (RFC 7162 §3.1.5).
    public func reply(byUID: Bool, returnOptions: [SearchReturnOption]?, tag: Tag, isSort: Bool = false) -> SearchReply {
        guard let options = returnOptions else {
            let numbers = numbers(byUID: byUID)
            let modSeq = highestModSeq(of: messages)
            return SearchReply(response: isSort ? .sort(numbers, modSeq: modSeq) : .search(numbers, modSeq: modSeq), savedResult: nil)
        }
        let asked = Set(options.isEmpty ? [.all] : options)
        let first = isSort ? messages.first : messages.min { $0.sequence < $1.sequence }
        let last = isSort ? messages.last : messages.max { $0.sequence < $1.sequence }
        let wantsEverything = asked.contains(.all) || asked.contains(.count)
        var returned: [MatchedMessage] = []
        if wantsEverything {
            returned = messages
        } else {
            if asked.contains(.min), let first { returned.append(first) }
            if asked.contains(.max), let last, last != first || !asked.contains(.min) { returned.append(last) }
        }
        var saved: Set<MessageUID>?
        if asked.contains(.save) {
            saved = Set((wantsEverything || asked.contains(.min) || asked.contains(.max) ? returned : messages).map(\.message.uid))
        }
        if asked == [.save] { return SearchReply(response: nil, savedResult: saved) }

        func number(_ match: MatchedMessage) -> UInt32 { byUID ? match.message.uid : match.sequence }
        var response = ESearchResponse(correlator: tag, byUID: byUID)
        if asked.contains(.min) { response.min = first.map(number) }
        if asked.contains(.max) { response.max = last.map(number) }
        if asked.contains(.all), !messages.isEmpty {
            response.all = NumberSet(isSort ? numbers(byUID: byUID) : numbers(byUID: byUID).sorted())
        }
        if asked.contains(.count) { response.count = messages.count }
        response.modSeq = highestModSeq(of: returned)
        return SearchReply(response: .esearch(response), savedResult: saved)
    }
}

/// What the session sends and keeps after SEARCH or SORT.
public struct SearchReply: Hashable, Sendable {
    /// The untagged reply; nil for `RETURN (SAVE)` alone.
    public var response: UntaggedResponse?
    /// The new `$` (RFC 5182) when SAVE was asked; nil leaves the saved result unchanged.
    public var savedResult: Set<MessageUID>?
}
