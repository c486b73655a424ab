/// COPY / MOVE and their UID forms: the messages and the destination.
public struct CopyCommand: Hashable, Sendable {
    public var byUID: Bool
    public var set: SequenceSet
    public var mailbox: MailboxName

    public init(byUID: Bool = false, set: SequenceSet, mailbox: MailboxName) {
        self.byUID = byUID
        self.set = set
        self.mailbox = mailbox
    }
}
