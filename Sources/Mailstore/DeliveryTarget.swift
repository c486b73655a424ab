import MoatCore

/// One copy of a message to store: which mailbox and folder, for which recipient (its
/// `Delivered-To`), under which quota (nil: none enforced, `maildirsize` not kept).
public struct DeliveryTarget: Sendable, Hashable {
    public var mailbox: MaildirPath
    public var folder: MaildirFolder
    public var recipient: EmailAddress
    public var quota: QuotaLimit?

    public init(mailbox: MaildirPath, folder: MaildirFolder = .inbox, recipient: EmailAddress,
                quota: QuotaLimit? = nil) {
        self.mailbox = mailbox
        self.folder = folder
        self.recipient = recipient
        self.quota = quota
    }
}

/// A message durably in a Maildir's `new/`: where, and the sizes in its name.
public struct DeliveredMessage: Sendable, Hashable {
    /// The file in `new/`.
    public let path: String
    public let name: MaildirName
    /// Bytes stored (LF line ends, delivery headers included): the `S=` field.
    public let size: Int
    /// The same with CRLF line ends: the `W=` field.
    public let virtualSize: Int
}
