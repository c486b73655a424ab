import Foundation
import MoatCore
import Notices

/// The notification amavisd-new mails to the virus/banned administrator when it stops a
/// message (`$virus_admin`, `$banned_admin`): `multipart/mixed` with a human-readable
/// `text/plain` part and the original header section as `text/rfc822-headers`.
///
/// The top-level header matches amavisd-new 2.13 field by field, in its order:
/// ```
/// Content-Type: multipart/mixed; boundary="----------=_1795654093-31707-0"
/// Content-Transfer-Encoding: 8bit
/// MIME-Version: 1.0
/// From: "Content-filter at peers.example.com" <postmaster@peers.example.com>
/// Date: Thu, 26 Nov 2026 00:48:13 +0000 (UTC)
/// Subject: VIRUS (Peers.ClamAVTestFile.Code.NDB.UNOFFICIAL) in mail FROM
///  [127.0.0.1] <sender@example.org>
/// To: <postmaster@example.com>
/// Message-ID: <VAOoOoQLVZphZm@peers.example.com>
/// ```
/// amavisd-new adds no `Auto-Submitted:` to these notices and neither does Moat; the
/// notice goes out with the null envelope sender, which is what stops loops.
/// Pure: builds bytes, sends nothing.
public struct AdminNotice: Sendable {
    /// Why the message was stopped.
    public enum Kind: Sendable, Equatable {
        /// Virus names as the scanner reported them.
        case virus(names: [String])
        /// Banned part descriptions in amavisd-new's form, e.g. `.exe,document.pdf.exe`.
        case banned(names: [String])
    }

    /// The complete notice, CRLF line endings, ready to submit with a null envelope sender.
    ///
    /// - Parameters:
    ///   - mailID: the message's mail_id, quoted as its internal reference code.
    ///   - envelope: the stopped message's envelope (sender, recipients, client).
    ///   - originalHeader: the stopped message's header section, as received.
    ///   - hostname: this host's name (`$myhostname`), used in `From:` and `Message-ID:`.
    ///   - from: the notice's sender address, typically `postmaster@hostname`.
    ///   - to: the administrator.
    ///   - quarantineLocation: where the message was quarantined, nil if it was not.
    ///   - boundary: the MIME boundary; by default ``NoticeBoundary/next(date:)``.
    ///   - messageID: the `Message-ID:` with angle brackets; by default `<VA…@hostname>`
    ///     for a virus and `<BA…@hostname>` for banned content.
    public static func build(kind: Kind, mailID: String, envelope: Envelope, originalHeader: [UInt8],
                             hostname: String, from: EmailAddress, to: EmailAddress, date: Date,
                             quarantineLocation: String?, boundary: String? = nil,
                             messageID: String? = nil) -> [UInt8] {
        let header = [
            HeaderFolding.fold(name: "Content-Type",
                               tokens: ["multipart/mixed;", "boundary=\"\(NoticeMessage.boundaryPlaceholder)\""]),
            "Content-Transfer-Encoding: 8bit\r\n",
            "MIME-Version: 1.0\r\n",
            HeaderFolding.fold(name: "From", tokens: contentFilterFrom(hostname: hostname, address: from)),
            "Date: \(RFC5322Date.format(date))\r\n",
            HeaderFolding.fold(name: "Subject", tokens: NoticeText.headerTokens(subject(kind: kind, envelope: envelope))),
            HeaderFolding.fold(name: "To", tokens: [to.bracketed]),
            "Message-ID: \(messageID ?? NoticeMessageID.make(prefix: kind.messageIDPrefix, hostname: hostname))\r\n",
        ]
        let text = NoticeMessage.Part(
            header: ["Content-Type: text/plain; charset=\"UTF-8\"", "Content-Disposition: inline",
                     "Content-Transfer-Encoding: 8bit"],
            content: NoticeMessage.content(bodyLines(kind: kind, mailID: mailID, envelope: envelope,
                                                     originalHeader: originalHeader,
                                                     quarantineLocation: quarantineLocation)))
        let headers = NoticeMessage.Part(
            header: ["Content-Type: text/rfc822-headers; name=\"header\"",
                     "Content-Disposition: inline; filename=\"header\"",
                     "Content-Transfer-Encoding: 8bit", "Content-Description: Message header section"],
            content: NoticeText.normalisedLines(originalHeader))
        return NoticeMessage(header: header, parts: [text, headers])
            .serialize(boundary: boundary ?? NoticeBoundary.next(date: date))
    }

    /// `VIRUS (name, name) in mail FROM [ip] <sender>` or
    /// `BANNED contents (name) in mail FROM [ip] <sender>`, unfolded.
    public static func subject(kind: Kind, envelope: Envelope) -> String {
        let what: String
        switch kind {
        case .virus(let names): what = names.isEmpty ? "VIRUS" : "VIRUS (\(names.joined(separator: ", ")))"
        case .banned(let names):
            what = names.isEmpty ? "BANNED contents" : "BANNED contents (\(names.joined(separator: ", ")))"
        }
        var subject = "\(what) in mail FROM"
        if let ip = NoticeText.bracketedIP(envelope.client.address) { subject += " \(ip)" }
        return subject + " \(envelope.sender.bracketed)"
    }

    /// `"Content-filter at host" <address>` as header tokens (the display name is a
    /// quoted string, so `"` and `\` in a host name are dropped).
    static func contentFilterFrom(hostname: String, address: EmailAddress) -> [String] {
        let host = NoticeText.sanitized(hostname).filter { $0 != "\"" && $0 != "\\" && $0 != " " }
        return ["\"Content-filter", "at", "\(host)\"", address.bracketed]
    }

    /// The human-readable part, after amavisd-new's `notify_virus_admin_templ`.
    static func bodyLines(kind: Kind, mailID: String, envelope: Envelope, originalHeader: [UInt8],
                          quarantineLocation: String?) -> [String] {
        var lines: [String] = []
        switch kind {
        case .virus(let names):
            if names.count == 1 {
                lines += NoticeText.wrap("A virus was found: \(names[0])")
            } else {
                lines += NoticeText.wrap("\(names.count) viruses were found: \(names.joined(separator: ", "))")
            }
            lines += ["Content type: Virus"]
        case .banned(let names):
            for name in names { lines += NoticeText.wrap("Banned name: \(name)") }
            lines += ["Content type: Banned"]
        }
        lines += NoticeText.wrap("Internal reference code for the message is \(mailID)")
        lines.append("")
        if let ip = NoticeText.bracketedIP(envelope.client.address) {
            let host = envelope.client.hostname.map { " \($0)" } ?? ""
            lines += NoticeText.wrap("First upstream SMTP client IP address: \(ip)\(host)")
        }
        lines += NoticeText.wrap("Return-Path: \(envelope.sender.bracketed)")
        lines += NoticeText.originalHeaderSummary(originalHeader)
        lines.append("")
        lines.append("Delivery of the email was stopped!")
        lines.append("")
        if let quarantineLocation {
            lines += NoticeText.wrap("The message has been quarantined as: \(quarantineLocation)")
        } else {
            lines.append("The message has not been quarantined.")
        }
        if !envelope.recipients.isEmpty {
            lines.append("")
            lines.append("The message was addressed to:")
            for recipient in envelope.recipients { lines.append("  " + NoticeText.sanitized(recipient.bracketed)) }
        }
        return lines
    }
}

extension AdminNotice.Kind {
    /// amavisd-new's Message-ID prefix: `VA` for a virus, `BA` for banned content.
    var messageIDPrefix: String {
        switch self {
        case .virus: "VA"
        case .banned: "BA"
        }
    }
}
