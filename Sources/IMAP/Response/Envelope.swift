/// `envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to
/// SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"` (RFC 3501 §7.4.2). The
/// server fills it from the message headers, raw (RFC 2047 words are not decoded). An empty
/// address list is sent as `NIL`.
public struct Envelope: Hashable, Sendable {
    public var date: [UInt8]?
    public var subject: [UInt8]?
    public var from: [EnvelopeAddress]
    public var sender: [EnvelopeAddress]
    public var replyTo: [EnvelopeAddress]
    public var to: [EnvelopeAddress]
    public var cc: [EnvelopeAddress]
    public var bcc: [EnvelopeAddress]
    public var inReplyTo: [UInt8]?
    public var messageID: [UInt8]?

    public init(
        date: [UInt8]? = nil, subject: [UInt8]? = nil, from: [EnvelopeAddress] = [], sender: [EnvelopeAddress] = [],
        replyTo: [EnvelopeAddress] = [], to: [EnvelopeAddress] = [], cc: [EnvelopeAddress] = [],
        bcc: [EnvelopeAddress] = [], inReplyTo: [UInt8]? = nil, messageID: [UInt8]? = nil
    ) {
        self.date = date
        self.subject = subject
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.inReplyTo = inReplyTo
        self.messageID = messageID
    }
}
