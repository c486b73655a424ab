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
}
