/// An IMAP UID (RFC 9051 §2.3.1.1): never reused within one UIDVALIDITY.
public typealias MessageUID = UInt32
/// A CONDSTORE modification sequence (RFC 7162): every change to a message raises it.
public typealias ModSeq = UInt64

/// One message as the index knows it: what SELECT, FETCH FLAGS/UID/RFC822.SIZE/
/// INTERNALDATE/MODSEQ and SEARCH need without opening the file.
public struct IndexedMessage: Sendable, Hashable {
    public var uid: MessageUID
    public var flags: MessageFlags
    /// Keywords (`$Forwarded`, `Junk`…) as clients named them, sorted.
    public var keywords: [String]
    public var modSeq: ModSeq
    /// RFC822.SIZE: the message's size with CRLF line ends (Dovecot's `W=`).
    public var size: Int64
    /// INTERNALDATE in Unix seconds: the file's mtime, as Dovecot's Maildir keeps it.
    public var internalDate: Double
    /// The Maildir name without the `:2,` info: stable while flags change, and what
    /// Dovecot's POP3 UIDL and `dovecot-uidlist` use.
    public var baseName: String

    public init(uid: MessageUID, flags: MessageFlags, keywords: [String], modSeq: ModSeq, size: Int64,
                internalDate: Double, baseName: String) {
        self.uid = uid
        self.flags = flags
        self.keywords = keywords
        self.modSeq = modSeq
        self.size = size
        self.internalDate = internalDate
        self.baseName = baseName
    }
}
