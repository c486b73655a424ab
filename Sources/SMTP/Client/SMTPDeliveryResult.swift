// SMTPDeliveryResult - what one delivery attempt achieved, recipient by recipient.

import MoatCore

/// The outcome of one SMTP/LMTP transaction.
///
/// `perRecipient` holds the *final* reply for every envelope recipient, in envelope
/// order: the reply that decided its fate. That is the RCPT reply when the recipient was
/// refused; the reply to the end of data (SMTP) or its own post-data reply (LMTP) when it
/// was accepted; or the reply that ended the transaction earlier for everyone (greeting,
/// EHLO/HELO, MAIL, DATA, a 421). A recipient is delivered when its reply is 2xx.
public struct SMTPDeliveryResult: Sendable {
    public var perRecipient: [(recipient: EmailAddress, reply: SMTPReply)]
    /// Which reply decided each recipient, parallel to `perRecipient`: `.rcpt` for a
    /// refusal at RCPT, `.dataDone` for the reply to the final dot, `.mail`, `.greeting`…
    /// for a reply that ended the transaction for everyone (for texts such as Postfix's
    /// "(in reply to RCPT TO command)"). nil when no reply decided it, or the result was
    /// made without stages.
    public var stages: [SMTPClientStage?]
    /// The replies to each RCPT command, in order; nil where none was sent or read.
    public var rcptReplies: [SMTPReply?]
    /// The reply to MAIL FROM, if it was sent.
    public var mailReply: SMTPReply?
    /// The reply to the DATA command (354 or a refusal), if it was sent.
    public var dataCommandReply: SMTPReply?
    /// The reply to the final dot: positive iff some recipient was delivered. SMTP: the
    /// one reply. LMTP: the first positive per-recipient reply after the data, else the
    /// first one (each recipient's own reply is in `perRecipient`).
    public var dataReply: SMTPReply?
    /// The server's queue id for the message, when its reply tells it (Postfix:
    /// `250 2.0.0 Ok: queued as 3F4A21C0`; Exim: `250 OK id=1abcde-000123-AB`).
    public var queueID: String?
    /// What the server announced after EHLO/LHLO (empty after a HELO fallback; after
    /// STARTTLS, what it announced inside TLS).
    public var capabilities: SMTPClientCapabilities
    /// True when the transaction ran inside TLS (STARTTLS succeeded).
    public var usedTLS: Bool
    /// Oddities that did not change the outcome (a refused XFORWARD), for the log.
    public var warnings: [String]

    /// - Parameter stages: one per recipient; nil: none known.
    public init(perRecipient: [(recipient: EmailAddress, reply: SMTPReply)], stages: [SMTPClientStage?]? = nil,
                rcptReplies: [SMTPReply?] = [], mailReply: SMTPReply? = nil,
                dataCommandReply: SMTPReply? = nil, dataReply: SMTPReply? = nil,
                queueID: String? = nil, capabilities: SMTPClientCapabilities = .init(),
                usedTLS: Bool = false, warnings: [String] = []) {
        self.perRecipient = perRecipient
        precondition(stages.map { $0.count == perRecipient.count } ?? true, "one stage per recipient")
        self.stages = stages ?? Array(repeating: nil, count: perRecipient.count)
        self.rcptReplies = rcptReplies
        self.mailReply = mailReply
        self.dataCommandReply = dataCommandReply
        self.dataReply = dataReply
        self.queueID = queueID
        self.capabilities = capabilities
        self.usedTLS = usedTLS
        self.warnings = warnings
    }

    /// Recipients whose final reply is 2xx: the server took responsibility for them.
    public var acceptedRecipients: [EmailAddress] {
        perRecipient.filter { $0.reply.code / 100 == 2 }.map(\.recipient)
    }
    /// Recipients with a 4xx final reply: try again later.
    public var deferredRecipients: [(recipient: EmailAddress, reply: SMTPReply)] {
        perRecipient.filter { $0.reply.code / 100 == 4 }
    }
    /// Recipients with a 5xx final reply: bounce or reject.
    public var rejectedRecipients: [(recipient: EmailAddress, reply: SMTPReply)] {
        perRecipient.filter { $0.reply.code / 100 == 5 }
    }
    /// True when every recipient was accepted.
    public var allAccepted: Bool { perRecipient.allSatisfy { $0.reply.code / 100 == 2 } }
    /// The final reply of one recipient (the first, if it appears twice).
    public func reply(for recipient: EmailAddress) -> SMTPReply? {
        perRecipient.first { $0.recipient == recipient }?.reply
    }

    /// The queue id in a reply's text: `queued as ID` (Postfix, also Sendmail-style
    /// LMTP servers) or `id=ID` (Exim). Nil if neither appears.
    public static func queueID(in reply: SMTPReply) -> String? {
        let text = reply.lines.joined(separator: " ")
        for marker in ["queued as ", "id="] {
            guard let range = text.firstRange(of: marker) else { continue }
            let id = text[range.upperBound...].prefix { ch in
                !(ch == " " || ch == ";" || ch == ")" || ch == "," || ch == ">" || ch == "\t")
            }
            if !id.isEmpty { return String(id) }
        }
        return nil
    }
}
