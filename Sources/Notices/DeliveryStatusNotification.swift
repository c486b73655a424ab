import Foundation
import MIME
import MoatCore

/// An RFC 3464 delivery status notification (a bounce, or a delay/success report):
/// `multipart/report; report-type=delivery-status` with a human-readable part, the
/// machine-readable `message/delivery-status` part and the returned header section as
/// `text/rfc822-headers` (RFC 6522). Nothing here is specific to the content filter: the
/// queue uses the same builder for bounces of mail it cannot deliver.
///
/// The caller sends it with the null reverse-path and must never build one for a
/// message whose own sender was null (RFC 5321 §4.5.5, RFC 3464 §2). Pure: bytes out.
public struct DeliveryStatusNotification: Sendable {
    /// RFC 3464 §2.3.3 action values.
    public enum Action: String, Sendable {
        case failed, delayed, delivered, relayed, expanded
    }

    /// One per-recipient block (RFC 3464 §2.3).
    public struct Recipient: Sendable, Equatable {
        /// `Final-Recipient: rfc822; …`
        public var finalRecipient: EmailAddress
        /// `Original-Recipient: rfc822; …`, when the ORCPT or pre-alias address is known.
        public var originalRecipient: EmailAddress?
        public var action: Action
        /// Enhanced status code (RFC 3463), e.g. `5.7.0`.
        public var status: String
        /// The SMTP reply, e.g. `554 5.7.0 Reject, id=… - BANNED: …`; written as
        /// `Diagnostic-Code: smtp; …`.
        public var diagnostic: String?
        /// `Remote-MTA: dns; …`, the host that gave the diagnostic, if it was not us.
        public var remoteMTA: String?
        /// `Last-Attempt-Date:`; defaults to the report's date.
        public var lastAttemptDate: Date?
        /// `Will-Retry-Until:`, for `delayed` reports.
        public var willRetryUntil: Date?

        public init(_ finalRecipient: EmailAddress, action: Action = .failed, status: String,
                     diagnostic: String? = nil, originalRecipient: EmailAddress? = nil,
                     remoteMTA: String? = nil, lastAttemptDate: Date? = nil, willRetryUntil: Date? = nil) {
            self.finalRecipient = finalRecipient
            self.originalRecipient = originalRecipient
            self.action = action
            self.status = status
            self.diagnostic = diagnostic
            self.remoteMTA = remoteMTA
            self.lastAttemptDate = lastAttemptDate
            self.willRetryUntil = willRetryUntil
        }
    }

    /// Subjects. amavisd-new words its bounces `Undeliverable mail, BANNED contents type
    /// (…)` / `Undeliverable mail, VIRUS in message apparently from you (…)`; Moat keeps
    /// the `Undeliverable mail` lead (what users filter on) but leaves attacker-chosen
    /// names and unverified accusations out of the subject.
    public enum Subject {
        public static let bannedContent = "Undeliverable mail, banned content"
        public static let virusFound = "Undeliverable mail, virus found"
        public static let undeliverable = "Undeliverable mail"
        public static let delayed = "Delayed mail, still being retried"
        public static let delivered = "Delivery status notification"
    }

    /// The complete report, CRLF line endings.
    ///
    /// - Parameters:
    ///   - reportingMTA: this host's name, for `Reporting-MTA: dns; …` and `Message-ID:`.
    ///   - from: the report's `From:` address, normally `postmaster@reportingMTA`.
    ///   - fromName: its display name; the content filter passes `Content-filter at <host>`
    ///     as amavisd-new does, the queue `Mail Delivery System`.
    ///   - to: the original envelope sender, who receives the report.
    ///   - subject: one of ``Subject`` or any text (non-ASCII is RFC 2047 encoded).
    ///   - reason: human explanation, one paragraph, put into the text part.
    ///   - originalEnvelopeID: the ENVID of the original transaction (RFC 3461), if any.
    ///   - arrivalDate: when the original message arrived.
    ///   - originalHeader: the original header section, returned as `text/rfc822-headers`.
    ///   - mailID: the filter's mail_id or the queue ID, quoted for reference; optional.
    ///   - date: the report's `Date:`.
    public static func build(reportingMTA: String, from: EmailAddress,
                             fromName: String = "Mail Delivery System", to: EmailAddress,
                             subject: String, reason: String, originalEnvelopeID: String? = nil,
                             arrivalDate: Date, recipients: [Recipient], originalHeader: [UInt8],
                             mailID: String?, date: Date, boundary: String? = nil,
                             messageID: String? = nil) -> [UInt8] {
        let text = NoticeMessage.content(humanLines(reportingMTA: reportingMTA, reason: reason,
                                                    recipients: recipients, mailID: mailID))
        let status = NoticeMessage.content(statusLines(reportingMTA: reportingMTA,
                                                       originalEnvelopeID: originalEnvelopeID,
                                                       arrivalDate: arrivalDate, recipients: recipients,
                                                       date: date))
        let returned = NoticeText.normalisedLines(originalHeader)
        let parts = [
            NoticeMessage.Part(header: ["Content-Type: text/plain; charset=\"UTF-8\"", "Content-Disposition: inline",
                                        "Content-Transfer-Encoding: \(transferEncoding(text))",
                                        "Content-Description: Notification"],
                               content: text),
            NoticeMessage.Part(header: ["Content-Type: message/delivery-status", "Content-Disposition: inline",
                                        "Content-Transfer-Encoding: 7bit", "Content-Description: Delivery report"],
                               content: status),
            NoticeMessage.Part(header: ["Content-Type: text/rfc822-headers", "Content-Disposition: inline",
                                        "Content-Transfer-Encoding: \(transferEncoding(returned))",
                                        "Content-Description: Undelivered message header section"],
                               content: returned),
        ]
        let eightBit = parts.contains { part in part.content.contains { $0 >= 0x80 } }

        var header = [
            HeaderFolding.fold(name: "Content-Type",
                               tokens: ["multipart/report;", "report-type=delivery-status;",
                                        "boundary=\"\(NoticeMessage.boundaryPlaceholder)\""]),
            "Content-Transfer-Encoding: \(eightBit ? "8bit" : "7bit")\r\n",
            "MIME-Version: 1.0\r\n",
            HeaderFolding.fold(name: "From", tokens: displayName(fromName) + [from.bracketed]),
            "Date: \(RFC5322Date.format(date))\r\n",
            HeaderFolding.fold(name: "Subject", tokens: NoticeText.headerTokens(subject)),
        ]
        if let original = originalMessageID(originalHeader) {
            header.append(HeaderFolding.fold(name: "In-Reply-To", tokens: [original]))
            header.append(HeaderFolding.fold(name: "References", tokens: [original]))
        }
        header += [
            HeaderFolding.fold(name: "To", tokens: [to.bracketed]),
            "Message-ID: \(messageID ?? NoticeMessageID.make(prefix: "DS", hostname: reportingMTA))\r\n",
            // RFC 3834 §5: a report is an automatic response to a message.
            "Auto-Submitted: auto-replied\r\n",
        ]
        return NoticeMessage(header: header, parts: parts)
            .serialize(boundary: boundary ?? NoticeBoundary.next(date: date))
    }

    /// The human-readable part: who reports, the reason, then the recipients grouped by
    /// what happened to them.
    static func humanLines(reportingMTA: String, reason: String, recipients: [Recipient],
                           mailID: String?) -> [String] {
        var lines = NoticeText.wrap("This is an automatically generated delivery status notification "
                                    + "from the mail system at \(reportingMTA).", indent: "")
        lines.append("")
        if !reason.isEmpty {
            lines += NoticeText.wrap(reason, indent: "")
            lines.append("")
        }
        let groups: [(Action, String)] = [
            (.failed, "Your message could not be delivered to the following recipients:"),
            (.delayed, "Delivery to the following recipients has been delayed; the mail system "
                + "will keep trying:"),
            (.delivered, "Your message was delivered to the following recipients:"),
            (.relayed, "Your message was relayed to the following recipients, which may not "
                + "send further delivery status notifications:"),
            (.expanded, "Your message was delivered to the following recipients and forwarded "
                + "to further addresses:"),
        ]
        for (action, heading) in groups {
            let matching = recipients.filter { $0.action == action }
            guard !matching.isEmpty else { continue }
            lines += NoticeText.wrap(heading, indent: "")
            lines.append("")
            for recipient in matching {
                var entry = recipient.finalRecipient.bracketed
                if let diagnostic = recipient.diagnostic { entry += ": \(diagnostic)" }
                lines += NoticeText.wrap(entry, indent: "    ").map { "  " + $0 }
            }
            lines.append("")
        }
        if let mailID { lines += NoticeText.wrap("Reference: \(mailID)"); lines.append("") }
        lines.append("The header section of your message is attached below.")
        return lines
    }

    /// The `message/delivery-status` content (RFC 3464 §2.2, §2.3): per-message
    /// fields, then one block per recipient, blocks separated by empty lines.
    static func statusLines(reportingMTA: String, originalEnvelopeID: String?, arrivalDate: Date,
                            recipients: [Recipient], date: Date) -> [String] {
        var lines = [field("Reporting-MTA", "dns; " + ascii(reportingMTA))]
        if let originalEnvelopeID { lines.append(field("Original-Envelope-Id", ascii(originalEnvelopeID))) }
        lines.append("Arrival-Date: \(RFC5322Date.format(arrivalDate))")
        for recipient in recipients {
            lines.append("")
            if let original = recipient.originalRecipient {
                lines.append(field("Original-Recipient", "rfc822; " + ascii(original.description)))
            }
            lines.append(field("Final-Recipient", "rfc822; " + ascii(recipient.finalRecipient.description)))
            lines.append("Action: \(recipient.action.rawValue)")
            lines.append(field("Status", ascii(recipient.status)))
            if let remote = recipient.remoteMTA { lines.append(field("Remote-MTA", "dns; " + ascii(remote))) }
            if let diagnostic = recipient.diagnostic {
                lines.append(field("Diagnostic-Code", "smtp; " + ascii(diagnostic)))
            }
            lines.append("Last-Attempt-Date: \(RFC5322Date.format(recipient.lastAttemptDate ?? date))")
            if let until = recipient.willRetryUntil {
                lines.append("Will-Retry-Until: \(RFC5322Date.format(until))")
            }
        }
        return lines
    }

    /// A folded report field without its final CRLF (`NoticeMessage.content` adds it).
    private static func field(_ name: String, _ value: String) -> String {
        var folded = HeaderFolding.fold(name: name, value: value)
        folded.removeLast()  // "\r\n" is one Character
        return folded
    }

    /// `text` sanitised, with non-ASCII scalars as `?`: the delivery-status fields are
    /// 7-bit here (RFC 6533's `message/global-delivery-status` is not generated).
    private static func ascii(_ text: String) -> String {
        String(String.UnicodeScalarView(NoticeText.sanitized(text).unicodeScalars.map { $0.isASCII ? $0 : "?" }))
    }

    private static func transferEncoding(_ content: [UInt8]) -> String {
        content.contains { $0 >= 0x80 } ? "8bit" : "7bit"
    }

    /// `"Name"` as header tokens, with characters that would end the quoted string dropped.
    private static func displayName(_ name: String) -> [String] {
        let cleaned = NoticeText.sanitized(name).filter { $0 != "\"" && $0 != "\\" }
        let words = cleaned.split(separator: " ").map(String.init)
        guard !words.isEmpty, cleaned.unicodeScalars.allSatisfy(\.isASCII) else {
            return words.isEmpty ? [] : NoticeText.encodedWords(words.joined(separator: " "))
        }
        if words.count == 1 { return ["\"\(words[0])\""] }
        return ["\"" + words[0]] + words.dropFirst().dropLast() + [words[words.count - 1] + "\""]
    }

    /// The original `Message-ID`, if it is one plausible `<…>` token worth threading on.
    private static func originalMessageID(_ header: [UInt8]) -> String? {
        guard let id = MIMEMessage.parse(header + [0x0D, 0x0A, 0x0D, 0x0A]).messageID else { return nil }
        guard id.hasPrefix("<"), id.hasSuffix(">"), id.utf8.count <= 250,
              id.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return nil }
        return id
    }
}
