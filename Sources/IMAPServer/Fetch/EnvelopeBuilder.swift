import IMAP

/// ENVELOPE (RFC 3501 §7.4.2) of a message header, as Dovecot builds it: values raw (RFC
/// 2047 words kept), line breaks removed; subject and display names with runs of blanks
/// made one space; the last occurrence of a field wins; Sender and Reply-To fall back to
/// From. Fields that are absent are NIL, fields that are present but empty are "".
enum EnvelopeBuilder {
    static func envelope(of fields: [HeaderLine], in bytes: [UInt8]) -> Envelope {
        var envelope = Envelope()
        var sender: [EnvelopeAddress] = []
        var replyTo: [EnvelopeAddress] = []
        for field in fields {
            let value = { field.value(in: bytes) }
            switch String(decoding: field.name(in: bytes), as: UTF8.self).lowercased() {
            case "date": envelope.date = HeaderValue.withoutLineBreaks(value())
            case "subject": envelope.subject = HeaderValue.forHumans(value())
            case "from": envelope.from = AddressListParser.parse(value())
            case "sender": sender = AddressListParser.parse(value())
            case "reply-to": replyTo = AddressListParser.parse(value())
            case "to": envelope.to = AddressListParser.parse(value())
            case "cc": envelope.cc = AddressListParser.parse(value())
            case "bcc": envelope.bcc = AddressListParser.parse(value())
            case "in-reply-to": envelope.inReplyTo = HeaderValue.withoutLineBreaks(value())
            case "message-id": envelope.messageID = HeaderValue.withoutLineBreaks(value())
            default: break
            }
        }
        // RFC 3501: "If the Sender or Reply-To lines are absent in the [RFC-2822] header,
        // or are present but empty, the server sets the corresponding member of the
        // envelope to be the same value as the from member".
        envelope.sender = sender.isEmpty ? envelope.from : sender
        envelope.replyTo = replyTo.isEmpty ? envelope.from : replyTo
        return envelope
    }
}
