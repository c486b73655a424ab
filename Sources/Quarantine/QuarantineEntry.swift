import Foundation

/// One quarantined message as the index knows it: the row behind `moat quarantine list`.
///
/// Addresses are plain `local@domain` text (`EmailAddress.description`); the null sender
/// is the empty string. The message itself lives in a file (see `QuarantineStore`).
public struct QuarantineEntry: Sendable, Codable, Equatable {
    /// The message's `MailID`: the index key and part of the file name.
    public var mailID: String
    /// When the message was quarantined. The index keeps it as Unix seconds in a REAL
    /// column: exact for whole seconds, otherwise to well under a microsecond (a `Date()`
    /// may come back differing in its last bit).
    public var time: Date
    /// Envelope sender, `""` for the null reverse-path.
    public var sender: String
    /// The recipients the message was quarantined for (amavisd-new's blocked recipients).
    public var recipients: [String]
    public var category: QuarantineCategory
    /// Spam score (SpamAssassin hits); 0 when not scanned for spam.
    public var score: Double
    /// Names of the spam rules that hit.
    public var tests: [String]
    /// Virus names reported by the scanners.
    public var virusNames: [String]
    /// Banned part names or types that matched.
    public var bannedNames: [String]
    /// The decoded Subject, if the message had one.
    public var subject: String?
    /// The Message-ID header field body, if the message had one.
    public var messageID: String?
    /// Size of the original message in bytes, without the quarantine's envelope headers.
    /// `QuarantineStore.store` sets it from the bytes it writes.
    public var size: Int
    /// When the message was last released, nil if never.
    public var releasedAt: Date?
    /// Everyone it has been released to so far, in release order; nil if never released.
    public var releasedTo: [String]?
    /// Who released it last (the releasing user's login name), nil if never.
    public var releasedBy: String?
    /// Which way the message came, and so the way a release sends it on.
    public var origin: QuarantineOrigin

    public init(
        mailID: String, time: Date, sender: String, recipients: [String],
        category: QuarantineCategory, score: Double = 0, tests: [String] = [],
        virusNames: [String] = [], bannedNames: [String] = [], subject: String? = nil,
        messageID: String? = nil, size: Int = 0, releasedAt: Date? = nil,
        releasedTo: [String]? = nil, releasedBy: String? = nil, origin: QuarantineOrigin = .gateway
    ) {
        self.mailID = mailID
        self.time = time
        self.sender = sender
        self.recipients = recipients
        self.category = category
        self.score = score
        self.tests = tests
        self.virusNames = virusNames
        self.bannedNames = bannedNames
        self.subject = subject
        self.messageID = messageID
        self.size = size
        self.releasedAt = releasedAt
        self.releasedTo = releasedTo
        self.releasedBy = releasedBy
        self.origin = origin
    }
}
