/// What changed in a mailbox since this handle last looked (its `open` or previous `sync`),
/// by other handles, other processes or other Maildir writers: what a session turns into
/// untagged EXPUNGE/VANISHED, EXISTS and FETCH responses.
///
/// Changes made through the same handle (its own `store`, `expunge`) are not repeated here:
/// the session already answered them. Messages it appended or copied into the mailbox it
/// has open are, since IMAP announces them with EXISTS.
public struct MailboxChanges: Sendable, Hashable {
    /// UIDs gone since the last look, ascending.
    public var expunged: [MessageUID]
    /// Messages new to this handle, in UID order (they follow every known message).
    public var added: [IndexedMessage]
    /// Known messages whose flags or keywords changed, in UID order, with their new state.
    public var flagsChanged: [IndexedMessage]
    /// The mailbox after these changes.
    public var uidNext: MessageUID
    public var highestModSeq: ModSeq
    /// Keywords in use after these changes; differs from before when a FLAGS response is due.
    public var keywords: [String]

    public init(expunged: [MessageUID], added: [IndexedMessage], flagsChanged: [IndexedMessage],
                uidNext: MessageUID, highestModSeq: ModSeq, keywords: [String]) {
        self.expunged = expunged
        self.added = added
        self.flagsChanged = flagsChanged
        self.uidNext = uidNext
        self.highestModSeq = highestModSeq
        self.keywords = keywords
    }

    /// True when nothing is to be reported.
    public var isEmpty: Bool { expunged.isEmpty && added.isEmpty && flagsChanged.isEmpty }
}
