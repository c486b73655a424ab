import Foundation
import MIME

/// Builds ``BayesInput`` from a parsed message as SpamAssassin's Bayes reads one: the
/// headers, the body as its renderer produces it (`get_visible_rendered_body_text_array`:
/// the Subject, then each text part decoded with HTML rendered, one element a paragraph)
/// and its URI list, both from ``SAMessage``, the view the rules read, so Bayes and the
/// rules see the same text.
public enum BayesMessageAdapter {
    public static func input(from message: MIMEMessage) -> BayesInput {
        input(from: SAMessage(message))
    }

    /// From a view already built (the engine builds one per message for the rules).
    public static func input(from view: SAMessage) -> BayesInput {
        let headers = view.message.header.fields.map { (name: $0.name, value: Array($0.decodedValue.utf8)) }
        return BayesInput(headers: headers, body: view.bodyParagraphs, uris: view.uris)
    }

    /// SpamAssassin's `generate_msgid`: SHA-1 of To, Date and the body, `@sa_generated`.
    public static func messageID(_ message: MIMEMessage) -> String {
        var data = Array((message.header.first("To")?.unfoldedValue ?? "").utf8)
        data.append(0)
        data += Array((message.header.first("Date")?.unfoldedValue ?? "").utf8)
        data.append(0)
        let bodyStart = min(message.header.bodyOffset, message.bytes.count)
        data += Array(SHA1.hexDigest(message.bytes[bodyStart...]).utf8)
        return SHA1.hexDigest(data) + "@sa_generated"
    }

    /// The Message-ID header, an alias checked when deciding whether a message was learned.
    public static func headerMessageID(_ message: MIMEMessage) -> String? {
        guard let id = message.messageID?.trimmingCharacters(in: .whitespaces), !id.isEmpty else { return nil }
        return id
    }

    /// The time the message was received: the date of the newest Received header, else
    /// the Date header, else `now`; never in the future (SpamAssassin's `receive_date`).
    public static func receiveTime(_ message: MIMEMessage, now: Int64 = Int64(Date().timeIntervalSince1970)) -> Int64 {
        var candidates: [String] = []
        if let r = message.header.first("Received")?.unfoldedValue, let semi = r.lastIndex(of: ";") {
            candidates.append(String(r[r.index(after: semi)...]))
        }
        if let d = message.header.first("Date")?.unfoldedValue { candidates.append(d) }
        for c in candidates {
            if let t = RFC2822Date.parse(c) { return min(t, now) }
        }
        return now
    }
}

/// A lenient RFC 2822 date parser: `[Day,] DD Mon YYYY HH:MM[:SS] [±ZZZZ|zone]`.
enum RFC2822Date {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String) -> Int64? {
        let words = text.replacingOccurrences(of: ",", with: " ").split(whereSeparator: { $0 == " " || $0 == "\t" })
            .map(String.init)
        guard let mi = words.firstIndex(where: { months.contains(String($0.prefix(3)).lowercased()) }),
              mi >= 1, mi + 2 < words.count,
              let day = Int(words[mi - 1]), var year = Int(words[mi + 1]),
              let month = months.firstIndex(of: String(words[mi].prefix(3)).lowercased()) else { return nil }
        if year < 50 { year += 2000 } else if year < 100 { year += 1900 }
        let hms = words[mi + 2].split(separator: ":").compactMap { Int($0) }
        guard hms.count >= 2 else { return nil }
        var offset = 0
        if mi + 3 < words.count {
            let z = words[mi + 3]
            if (z.hasPrefix("+") || z.hasPrefix("-")), z.count == 5, let v = Int(z.dropFirst()) {
                offset = (v / 100 * 3600 + v % 100 * 60) * (z.hasPrefix("-") ? -1 : 1)
            }
        }
        // Days from civil (Howard Hinnant's algorithm).
        let y = month + 1 <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = month + 1
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let seconds = days * 86400 + hms[0] * 3600 + hms[1] * 60 + (hms.count > 2 ? hms[2] : 0) - offset
        return Int64(seconds)
    }
}
