import Directory

/// Where the IMAP Quarantine folder gets what it shows and where its moves go: Moat's
/// quarantine, seen by one user (the messages quarantined for their addresses, aliases
/// included). Implemented over the quarantine store and the library release; calls that
/// do not `async` block on disk.
public protocol QuarantineSource: Sendable {
    /// The messages held for `user` that they have neither deleted from their folder nor
    /// had released to them, oldest first.
    func messages(for user: Mailbox) throws -> [QuarantinedMessage]
    /// What the folder shows for `mailID`: the message as it arrived, or for a virus a
    /// listing that names it (the infected bytes never reach a client).
    func presentation(of mailID: String, for user: Mailbox) throws -> [UInt8]
    /// Releases `message` (as `messages(for: user)` listed it) to `user` alone, not to its
    /// other recipients, recorded as released by them. Throws `QuarantineRefusal` when it may
    /// not or could not be (a virus, released meanwhile, being released by another session).
    func release(_ message: QuarantinedMessage, to user: Mailbox) async throws
    /// Deletes `mailIDs` from `user`'s view; the other recipients still see them.
    func dismiss(_ mailIDs: [String], for user: Mailbox) throws
}

/// One message in a user's Quarantine folder.
public struct QuarantinedMessage: Sendable, Equatable {
    public var mailID: String
    /// When it was quarantined (Unix seconds): its INTERNALDATE.
    public var date: Double
    /// False for viruses: listed, never released by a user.
    public var releasable: Bool
    /// Held as spam: releasing it teaches Bayes ham, as moving it out of Junk would.
    public var isSpam: Bool

    public init(mailID: String, date: Double, releasable: Bool, isSpam: Bool) {
        self.mailID = mailID
        self.date = date
        self.releasable = releasable
        self.isSpam = isSpam
    }
}

/// Why a release from the Quarantine folder did not happen, in words for the user.
public struct QuarantineRefusal: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
