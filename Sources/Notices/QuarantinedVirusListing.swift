import Foundation
import MIME

/// What a user's Quarantine folder shows in place of a message held for a virus: a short
/// plain-text message naming the sender, subject and virus, and the reference to quote to
/// the postmaster. The infected bytes never reach a mail client, and a user cannot
/// release it (only an admin can, with `moat quarantine release --force`).
public struct QuarantinedVirusListing: Sendable {
    /// The reference as the logs print it (`virus-Ab3…`).
    public var reference: String
    /// The envelope sender, "" for the null sender.
    public var sender: String
    /// The user whose folder shows it.
    public var recipient: String
    public var subject: String?
    public var virusNames: [String]
    /// When it was quarantined.
    public var date: Date

    public init(reference: String, sender: String, recipient: String, subject: String?, virusNames: [String], date: Date) {
        self.reference = reference
        self.sender = sender
        self.recipient = recipient
        self.subject = subject
        self.virusNames = virusNames
        self.date = date
    }

    /// The message, CRLF line ends, 7-bit headers (RFC 2047 words for a non-ASCII subject).
    public func render() -> [UInt8] {
        let viruses = virusNames.isEmpty ? "unnamed" : virusNames.joined(separator: ", ")
        let subjectText = subject.map(NoticeText.sanitized) ?? "(no subject)"
        let from = sender.isEmpty ? "MAILER-DAEMON" : NoticeText.sanitized(sender)
        var header: [String] = []
        header.append(HeaderFolding.fold(name: "From", tokens: ["<\(from)>"]))
        header.append(HeaderFolding.fold(name: "To", tokens: ["<\(NoticeText.sanitized(recipient))>"]))
        header.append(HeaderFolding.fold(name: "Subject", tokens: ["[VIRUS]"] + NoticeText.headerTokens(subjectText)))
        header.append("Date: \(RFC5322Date.format(date))\r\n")
        header.append("Message-ID: <\(reference)@quarantine.invalid>\r\n")
        header.append(HeaderFolding.fold(name: "X-Moat-Quarantine", tokens: [reference] + NoticeText.headerTokens(viruses)))
        header.append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n")
        var body = ["This message was quarantined because it contains a virus. It cannot be",
                    "released from this folder; moving or copying it out is refused.", ""]
        body += NoticeText.wrap("Virus: \(viruses)")
        body += NoticeText.wrap("Sender: <\(from)>")
        body += NoticeText.wrap("Subject: \(subjectText)")
        body.append("Quarantined: \(RFC5322Date.format(date))")
        body.append("Reference: \(reference)")
        body += ["", "If you expected this message, ask your postmaster, quoting the reference.",
                 "Deleting it here removes it from your Quarantine folder only."]
        return Array(header.joined().utf8) + Array("\r\n".utf8) + NoticeMessage.content(body)
    }
}
