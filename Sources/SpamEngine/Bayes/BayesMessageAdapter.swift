import Foundation
import MIME

/// Builds ``BayesInput`` from a parsed message. A stand-in until SpamAssassin-faithful
/// rendering (Sources/SpamEngine/Message) is ready: the Subject then each text part's
/// decoded bytes in its own charset (SpamAssassin's default `normalize_charset 0`), split
/// into paragraphs with line breaks folded to spaces; HTML has its tags stripped crudely
/// and entities for the common cases decoded; URIs are `http(s)://`, `www.` and `href`
/// targets. No metadata headers and no invisible text.
public enum BayesMessageAdapter {
    public static func input(from message: MIMEMessage) -> BayesInput {
        let headers = message.header.fields.map { (name: $0.name, value: Array($0.decodedValue.utf8)) }
        var body: [[UInt8]] = []
        var uris: [[UInt8]] = []
        body.append(Array((message.subject ?? "").utf8) + [0x0A])
        for leaf in message.leaves where leaf.contentType.type == "text" {
            if leaf.disposition == "attachment" { continue }
            var bytes = leaf.decodedBody()
            if leaf.contentType.subtype == "html" {
                uris += hrefs(bytes)
                bytes = stripTags(bytes)
            }
            uris += plainURIs(bytes)
            body += paragraphs(bytes)
        }
        var seen = Set<[UInt8]>()
        uris = uris.filter { seen.insert($0).inserted }
        return BayesInput(headers: headers, body: body, uris: uris)
    }

    /// Paragraphs (separated by blank lines), each with its line breaks turned to spaces
    /// and a final newline, as SpamAssassin's rendered body text array.
    static func paragraphs(_ bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var current: [UInt8] = []
        var lineHasText = false
        var line: [UInt8] = []
        func flushParagraph() {
            if !current.isEmpty { out.append(current + [0x0A]) }
            current = []
        }
        for b in bytes + [0x0A] {
            if b == 0x0A {
                if line.last == 0x0D { line.removeLast() }
                if lineHasText {
                    if !current.isEmpty { current.append(0x20) }
                    current += line
                } else {
                    flushParagraph()
                }
                line = []
                lineHasText = false
            } else {
                line.append(b)
                if b != 0x20 && b != 0x09 && b != 0x0D { lineHasText = true }
            }
        }
        flushParagraph()
        return out
    }

    /// Drops tags, comments, `<script>`/`<style>` content; block tags become line breaks.
    static func stripTags(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "<") {
                if bytes[i...].starts(with: Array("<!--".utf8)) {
                    var j = i + 4
                    while j < n && !bytes[j...].starts(with: Array("-->".utf8)) { j += 1 }
                    i = min(n, j + 3)
                    continue
                }
                var j = i + 1
                while j < n && bytes[j] != UInt8(ascii: ">") { j += 1 }
                let name = bytes[(i + 1)..<min(j, n)].prefix { BayesTokenizer.isWord($0) || $0 == UInt8(ascii: "/") }
                let tag = String(decoding: name, as: UTF8.self).lowercased()
                if tag == "script" || tag == "style" {
                    let close = Array("</\(tag)".utf8)
                    var k = j
                    while k < n && !bytes[k...].prefix(close.count).map(BayesTokenizer.lower).elementsEqual(close) { k += 1 }
                    j = k
                    while j < n && bytes[j] != UInt8(ascii: ">") { j += 1 }
                }
                let block: Set<String> = ["p", "/p", "br", "div", "/div", "tr", "/tr", "li", "h1", "h2", "h3", "table", "/table"]
                out.append(block.contains(tag) ? 0x0A : 0x20)
                if tag == "p" || tag == "/p" || tag == "div" || tag == "/div" { out.append(0x0A) }
                i = min(n, j + 1)
                continue
            }
            if b == UInt8(ascii: "&") {
                let entities: [(String, UInt8)] = [("&nbsp;", 0x20), ("&amp;", 0x26), ("&lt;", 0x3C), ("&gt;", 0x3E), ("&quot;", 0x22)]
                if let (e, c) = entities.first(where: { bytes[i...].prefix($0.0.utf8.count).map(BayesTokenizer.lower).elementsEqual($0.0.utf8) }) {
                    out.append(c)
                    i += e.utf8.count
                    continue
                }
            }
            out.append(b)
            i += 1
        }
        return out
    }

    static let hrefRE = ByteRegex(#"(?:href|src)\s*=\s*["']?([^"'\s>]+)"#, [.caseless])
    static let uriRE = ByteRegex(#"\b(?:https?://|www\.)[^\s<>"']+"#, [.caseless])

    static func hrefs(_ bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var position = 0
        while position < bytes.count, let g = hrefRE.captures(bytes, from: position), let w = g[0] {
            if let r = g[1] { out.append(Array(bytes[r])) }
            position = w.upperBound
        }
        return out
    }

    static func plainURIs(_ bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var position = 0
        while position < bytes.count, let g = uriRE.captures(bytes, from: position), let w = g[0] {
            out.append(Array(bytes[w]))
            position = w.upperBound
        }
        return out
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
