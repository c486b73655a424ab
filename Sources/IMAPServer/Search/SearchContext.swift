import Foundation
import Mailstore

/// What a search runs against: the session's view of the selected mailbox, everything the
/// keys need besides the message files.
public struct SearchContext: Sendable {
    /// The messages in sequence order: `messages[i]` is message number `i + 1`.
    public var messages: [IndexedMessage]
    /// The UIDs `$` stands for (RFC 5182): the last `RETURN (SAVE)` result, with expunged
    /// messages gone; empty when nothing was saved.
    public var savedResult: Set<MessageUID>
    /// What `*` means in a message-number set: the session's highest sequence number.
    public var largestSequence: UInt32
    /// What `*` means in a UID set: the highest UID the session has announced.
    public var largestUID: MessageUID
    /// BEFORE/ON/SINCE compare the internal date's calendar day in this zone, the server's
    /// own (Dovecot uses the server's local time zone too).
    public var timeZone: TimeZone
    /// The clock for OLDER/YOUNGER (RFC 5032), in Unix seconds.
    public var now: Double
    /// RFC 3501 \Recent for this session (RECENT, NEW, OLD); empty under IMAP4rev2.
    public var recent: Set<MessageUID> = []

    /// `*` defaults to the last message's sequence number and UID.
    public init(
        messages: [IndexedMessage], savedResult: Set<MessageUID> = [], largestSequence: UInt32? = nil,
        largestUID: MessageUID? = nil, timeZone: TimeZone = .current, now: Double = Date().timeIntervalSince1970
    ) {
        self.messages = messages
        self.savedResult = savedResult
        self.largestSequence = largestSequence ?? UInt32(messages.count)
        self.largestUID = largestUID ?? messages.last?.uid ?? 0
        self.timeZone = timeZone
        self.now = now
    }
}
