/// A mailbox as one handle sees it after `open` or `sync`: what SELECT reports.
public struct MailboxSnapshot: Sendable, Hashable {
    public var uidValidity: UInt32
    public var uidNext: MessageUID
    public var highestModSeq: ModSeq
    /// Every message, in UID order: position + 1 is the IMAP sequence number.
    public var messages: [IndexedMessage]
    /// Keywords in use in this mailbox (for FLAGS and PERMANENTFLAGS), sorted.
    public var keywords: [String]

    public init(uidValidity: UInt32, uidNext: MessageUID, highestModSeq: ModSeq, messages: [IndexedMessage],
                keywords: [String]) {
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.highestModSeq = highestModSeq
        self.messages = messages
        self.keywords = keywords
    }

    /// The message with `uid`, by binary search over `messages` (UID order): a lookup costs
    /// what it finds, not the mailbox's size.
    public func message(uid: MessageUID) -> IndexedMessage? {
        messages.position(ofUID: uid, by: \.uid).map { messages[$0] }
    }
}

extension RandomAccessCollection where Index == Int {
    /// Where the element whose `key` is `uid` sits in a collection sorted ascending by that
    /// key (UIDs only grow), by binary search; nil when absent.
    public func position(ofUID uid: MessageUID, by key: (Element) -> MessageUID) -> Int? {
        var low = startIndex, high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if key(self[middle]) < uid { low = middle + 1 } else { high = middle }
        }
        return low < endIndex && key(self[low]) == uid ? low : nil
    }
}
