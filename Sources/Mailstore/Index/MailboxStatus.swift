/// The STATUS figures of a mailbox (RFC 9051 §6.3.11, RFC 7162 HIGHESTMODSEQ), read from
/// its index after a sync, without building a snapshot.
public struct MailboxStatus: Sendable, Hashable {
    public var messages: Int
    /// Always 0: `\Recent` is not kept (see `MessageFlags`).
    public var recent: Int
    public var uidNext: MessageUID
    public var uidValidity: UInt32
    /// Messages without `\Seen`.
    public var unseen: Int
    /// Sum of RFC822.SIZE (RFC 8438 STATUS=SIZE).
    public var size: Int64
    public var highestModSeq: ModSeq
    /// Messages with `\Deleted` (RFC 9051 STATUS DELETED).
    public var deleted: Int

    public init(messages: Int, recent: Int, uidNext: MessageUID, uidValidity: UInt32, unseen: Int, size: Int64,
                highestModSeq: ModSeq, deleted: Int) {
        self.messages = messages
        self.recent = recent
        self.uidNext = uidNext
        self.uidValidity = uidValidity
        self.unseen = unseen
        self.size = size
        self.highestModSeq = highestModSeq
        self.deleted = deleted
    }
}
