import Mailstore

/// What threading needs from one message, read once (RFC 5256 §3).
struct ThreadMessage {
    /// The sequence number or UID the THREAD reply names it by.
    var number: UInt32
    var sequence: UInt32
    var messageID: String?
    /// The parent chain: References' ids, or the first In-Reply-To id when References
    /// has none (RFC 5256 §3 REFERENCES step 1).
    var references: [String]
    /// Sent date (UTC seconds), the internal date when there is no usable Date: header.
    var sentDate: Double
    /// The base subject, case folded, and whether it was a reply or forward.
    var subject: [UInt8]
    var isReplyOrForward: Bool

    init(_ match: MatchedMessage, byUID: Bool, content: MessageContent) {
        number = byUID ? match.message.uid : match.sequence
        sequence = match.sequence
        messageID = content.message.header.first("Message-ID").flatMap { MessageIDList.parse($0.unfoldedUTF8).first }
        let references = content.message.header.all("References").flatMap { MessageIDList.parse($0.unfoldedUTF8) }
        if references.isEmpty {
            self.references = content.message.header.first("In-Reply-To").flatMap { MessageIDList.parse($0.unfoldedUTF8).first }.map { [$0] } ?? []
        } else {
            self.references = references
        }
        sentDate = SortValue.sentInstant(match.message, content)
        let base = content.baseSubject
        subject = UnicodeCaseMap.fold(base.text)
        isReplyOrForward = base.isReplyOrForward
    }

    /// Threads and siblings are ordered by sent date, then by sequence number.
    static func precedes(_ a: ThreadMessage, _ b: ThreadMessage) -> Bool {
        a.sentDate != b.sentDate ? a.sentDate < b.sentDate : a.sequence < b.sequence
    }
}
