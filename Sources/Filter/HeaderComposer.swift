import Foundation
import MIME
import MoatCore
import Notices
import SpamEngine

/// Builds the message a group of recipients receives: our header fields prepended in
/// amavisd-new's order, the Subject tagged when asked, every other byte unchanged.
struct HeaderComposer {
    let policy: FilterPolicy

    struct Context {
        var mailID: String
        var report: ContentReport
        var transaction: SMTPTransactionInfo
        var quarantined: Bool
        var date: Date
    }

    /// The bytes for recipients that are all local (`local == true`) or all non-local:
    /// only local recipients get spam headers and the subject tag, as in amavisd-new.
    func compose(_ message: MIMEMessage, recipients: [EmailAddress], local: Bool, context: Context) -> [UInt8] {
        var header = ""
        if context.quarantined { header += "X-Quarantine-ID: <\(context.mailID)>\r\n" }
        // The configured x_header_line and the client's HELO come from outside: no line over
        // 998. The folded fields are bounded already, the others are ours and short.
        header += HeaderFolding.bounded("X-Virus-Scanned: \(policy.xHeaderLine)\r\n")
        let spam = context.report.spam
        if local && spam.score >= policy.levels.tag {
            header += spamHeaders(spam)
        }
        if context.report.category == .badHeader, let problem = context.report.badHeaders.first {
            header += HeaderFolding.fold(name: "X-Amavis-Alert", tokens: ["BAD", "HEADER", "SECTION,"] + problem.split(separator: " ").map(String.init))
        }
        if let note = context.report.undecipherable.first {
            // Passed with a part nothing could look into: say so to the recipient's filters.
            header += HeaderFolding.fold(name: "X-Amavis-Alert", tokens: ["UNCHECKED,"] + note.split(separator: " ").map(String.init))
        }
        if policy.addsReceived { header += HeaderFolding.bounded(received(recipients: recipients, context: context)) }
        var out = Array(header.utf8)
        out.reserveCapacity(out.count + message.bytes.count + policy.subjectTag.utf8.count)
        if local && spam.score >= policy.levels.tag2 && !policy.subjectTag.isEmpty {
            appendTaggingSubject(message, into: &out)
        } else {
            out += message.bytes
        }
        return out
    }

    private func spamHeaders(_ spam: SpamVerdict) -> String {
        let isSpam = spam.score >= policy.levels.tag2
        let score = ScoreText.format(spam.score)
        var text = "X-Spam-Flag: \(isSpam ? "YES" : "NO")\r\n"
        text += "X-Spam-Score: \(score)\r\n"
        let stars = ScoreText.stars(spam.score)
        text += "X-Spam-Level:\(stars.isEmpty ? "" : " " + stars)\r\n"
        var tokens = ["\(isSpam ? "Yes" : "No"),", "score=\(score)",
                      "tagged_above=\(ScoreText.format(policy.levels.tag))",
                      "required=\(ScoreText.format(policy.levels.tag2))"]
        let tests = spam.hits.map { "\($0.name)=\(ScoreText.format($0.score))" }
        if tests.isEmpty {
            tokens.append("tests=[none]")
        } else {
            for (i, test) in tests.enumerated() {
                let first = i == 0 ? "tests=[" : ""
                let last = i == tests.count - 1 ? "]" : ","
                tokens.append(first + test + last)
            }
        }
        tokens.append("autolearn=\(spam.autolearn ?? "disabled")")
        return text + HeaderFolding.fold(name: "X-Spam-Status", tokens: tokens)
    }

    /// amavisd-new's trace header: `from HELO ([ip]) by host (Moat, port N) with ESMTP id ID for <rcpt>; date`.
    private func received(recipients: [EmailAddress], context: Context) -> String {
        let t = context.transaction
        let helo = t.clientHelo ?? "unknown"
        let ip = t.clientAddress.map { "[\($0)]" } ?? "unknown"
        var text = "Received: from \(helo) (\(ip))\r\n by \(policy.hostname) (Moat"
        if let port = t.localPort { text += ", port \(port)" }
        text += ") with \(t.protocolName)\r\n id \(context.mailID)"
        if recipients.count == 1 { text += " for \(recipients[0].bracketed)" }
        return text + "; \(RFC5322Date.format(context.date))\r\n"
    }

    /// Rewrites `Subject:` in place (adds one if missing); the rest is copied as is.
    private func appendTaggingSubject(_ message: MIMEMessage, into out: inout [UInt8]) {
        let bytes = message.bytes
        let tag = Array(policy.subjectTag.utf8)
        guard let subject = message.header.first("Subject") else {
            out += Array("Subject: ".utf8) + tag.dropLast(tag.last == 0x20 ? 1 : 0) + [13, 10]
            out += bytes
            return
        }
        var value = subject.rawValue
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        out += bytes[..<subject.range.lowerBound]
        // The tag lengthens the first line: a 2,000-octet Subject must not become a longer
        // line of ours (lines within 998 octets stay exactly as the sender wrote them).
        let end = subject.rawValue.endIndex
        let eol: [UInt8] = end < bytes.endIndex && bytes[end] == 13 ? [13, 10] : [10]
        out += HeaderFolding.bounded((Array("Subject: ".utf8) + tag + value)[...], eol: eol)
        out += bytes[end...]
    }
}

/// What the composer and the log need to know of the SMTP side.
struct SMTPTransactionInfo {
    var clientAddress: String?
    var clientHelo: String?
    var protocolName: String
    var localPort: Int?
}
