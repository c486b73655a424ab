import MIME
import MoatCore

/// Builds SpamAssassin's body and rawbody texts (`Message::get_body_text_array_common`,
/// `get_decoded_body_text_array`, `Node::rendered`, `Node::decode`).
struct SABodyRenderer {
    static let maxBodyLineLength = 2048
    static let bodyPartScanSize = 50_000
    static let rawbodyPartScanSize = 500_000

    let message: MIMEMessage
    let subject: [UInt8]?
    var paragraphs: [[UInt8]] = []
    var htmlSummaries: [HTMLSummary] = []
    /// Each text part as rendered here, for evals that read a part's text again.
    var textParts: [TextPart] = []

    /// A text part (a leaf, known by its ``MIME/MIMEPart/bodyRange``: leaves never share
    /// one) and its text: charset-normalized (text/plain) or rendered (text/html), before
    /// truncation.
    struct TextPart: Sendable {
        var bodyRange: Range<Int>
        var normalized: [UInt8]?
        var rendering: HTMLRendering?
    }

    init(message: MIMEMessage, subject: [UInt8]?) {
        self.message = message
        self.subject = subject
    }

    /// `effective_type`: a part named `*.htm(l)`/`*.shtml` is HTML.
    static func effectiveType(_ part: MIMEPart) -> String {
        if let name = part.filename?.lowercased(),
           name.hasSuffix(".html") || name.hasSuffix(".htm") || name.hasSuffix(".shtml") || name.hasSuffix(".shtm") {
            return "text/html"
        }
        return part.contentType.mimeType
    }

    /// `Node::decode`: QP (then CRLF → LF), base64 (CRLF → LF for text/message), else raw.
    static func decode(_ part: MIMEPart, in message: MIMEMessage) -> [UInt8] {
        let body = rawBody(part, in: message)
        switch part.transferEncoding {
        case "quoted-printable":
            return LineEndings.lineFeedsOnly(SAMessage.qpDecode(body))
        case "base64":
            let d = Base64Codec.decode(body)
            return part.contentType.type == "text" || part.contentType.type == "message" ? LineEndings.lineFeedsOnly(d) : d
        default:
            return Array(body)
        }
    }

    /// The part body as SpamAssassin's parser keeps it: the line break before a boundary
    /// line belongs to the boundary (RFC 2046 §5.1.1; SA `chomp`s it), as in ``MIMEPart/body``.
    static func rawBody(_ part: MIMEPart, in message: MIMEMessage) -> ArraySlice<UInt8> {
        part.body
    }

    mutating func run() {
        var text: [UInt8] = []
        // Whether Perl's string would carry the UTF-8 flag: a part that was charset-decoded
        // (it had 8-bit bytes) or HTML whose entities produced characters above U+00FF. When
        // no part is flagged, SpamAssassin's body text is Latin-1 octets (e.g. `&copy;` in
        // an all-ASCII HTML part is the single byte 0xA9) and `\s` is ASCII-only.
        var flagged = false
        for part in message.leaves {
            if !text.isEmpty { text.append(0x0A) }
            let type = Self.effectiveType(part)
            guard type == "text/plain" || type == "text/html" else { continue }
            let decoded = Self.decode(part, in: message)
            let charset = part.contentType.charset ?? "us-ascii"
            var rendered: [UInt8]
            if type == "text/html" && !decoded.isEmpty {
                let chars = SACharset.normalize(decoded, charset: charset)
                let r = HTMLRenderer.render(chars)
                textParts.append(TextPart(bodyRange: part.bodyRange, rendering: r))
                if decoded.contains(where: { $0 >= 0x80 }) || Self.hasScalarAboveFF(r.text) { flagged = true }
                var summary = r.summary
                if !decoded.isEmpty {
                    summary.ratio = Double(decoded.count - summary.htmlLength) / Double(decoded.count)
                }
                htmlSummaries.append(summary)
                rendered = r.text
            } else {
                rendered = SACharset.normalize(decoded, charset: charset)
                textParts.append(TextPart(bodyRange: part.bodyRange, normalized: rendered))
                if decoded.contains(where: { $0 >= 0x80 }) { flagged = true }
            }
            Self.truncate(&rendered, at: Self.bodyPartScanSize, separators: [0x0A, 0x20])
            text.append(contentsOf: rendered)
        }
        var collapsed = Self.collapseWhitespace(text, unicode: flagged)
        if !flagged { collapsed = Self.utf8ToLatin1(collapsed) }
        paragraphs = Self.splitIntoShortLines((subject ?? [0x0A]) + collapsed)
    }

    /// Whether UTF-8 `s` holds a character above U+00FF (lead byte ≥ 0xC4).
    static func hasScalarAboveFF(_ s: [UInt8]) -> Bool { s.contains { $0 >= 0xC4 && $0 != 0xFF } }

    /// UTF-8 → Latin-1 bytes (every scalar here is ≤ U+00FF; others become '?').
    static func utf8ToLatin1(_ s: [UInt8]) -> [UInt8] {
        guard s.contains(where: { $0 >= 0x80 }) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        for u in String(decoding: s, as: UTF8.self).unicodeScalars {
            out.append(u.value < 0x100 ? UInt8(u.value) : 0x3F)
        }
        return out
    }

    /// Truncation to a scan size, at the next separator within 1 kB when possible.
    static func truncate(_ s: inout [UInt8], at size: Int, separators: [UInt8]) {
        guard s.count > size else { return }
        for sep in separators {
            if let idx = s.firstIndex(of: sep, from: size), idx - size <= 1024 {
                s.removeSubrange((idx + 1)...)
                return
            }
        }
        s.removeSubrange(size...)
    }

    /// `s/\n+\s*\n+/\x00/gs; s/\s+/ /gs; tr/\x00/\n/` with Unicode `\s`.
    static func collapseWhitespace(_ s: [UInt8], unicode: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        let n = s.count
        while i < n {
            let l = spaceLength(s, i, unicode)
            if l == 0 { out.append(s[i]); i += 1; continue }
            // whitespace run [i, j)
            var j = i
            var firstNL = -1, lastNL = -1, nlCount = 0
            while j < n {
                let k = spaceLength(s, j, unicode)
                if k == 0 { break }
                if s[j] == 0x0A { if firstNL < 0 { firstNL = j }; lastNL = j; nlCount += 1 }
                j += k
            }
            if nlCount >= 2 {
                if firstNL > i { out.append(0x20) }
                out.append(0x0A)
                if lastNL + 1 < j { out.append(0x20) }
            } else {
                out.append(0x20)
            }
            i = j
        }
        return out
    }

    @inline(__always) static func spaceLength(_ s: [UInt8], _ i: Int, _ unicode: Bool) -> Int {
        unicode ? UTF8Text.unicodeSpaceLength(s, i) : (UTF8Text.isASCIISpace(s[i]) ? 1 : 0)
    }

    /// `split_into_array_of_short_lines`.
    static func splitIntoShortLines(_ s: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var start = 0
        while start < s.count {
            var end = start
            while end < s.count, s[end] != 0x0A { end += 1 }
            if end < s.count { end += 1 }
            var line = s[start..<end]
            while line.count > maxBodyLineLength {
                let window = line.prefix(maxBodyLineLength + 1)
                var length = 0
                if let sp = window.lastIndex(of: 0x20) { length = sp - line.startIndex + 1 }
                if length == 0 { length = maxBodyLineLength }
                result.append(Array(line.prefix(length)))
                line = line.dropFirst(length)
            }
            result.append(Array(line))
            start = end
        }
        return result
    }

    /// `get_decoded_body_text_array`.
    static func rawbody(_ message: MIMEMessage) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for part in message.leaves {
            let t = effectiveType(part)
            guard t.hasPrefix("text") || t.hasPrefix("message"), part.contentType.mimeType != "text/calendar" else { continue }
            var raw = decode(part, in: message)
            truncate(&raw, at: rawbodyPartScanSize, separators: [0x0A, 0x3E, 0x20])
            out.append(contentsOf: splitIntoShortParagraphs(raw))
        }
        return out
    }

    /// `split_into_array_of_short_paragraphs`.
    static func splitIntoShortParagraphs(_ s: [UInt8]) -> [[UInt8]] {
        let m = maxBodyLineLength
        if s.count <= m { return [s] }
        var result: [[UInt8]] = []
        var ofs = 0
        while s.count - ofs > 2 * m {
            var j = -1
            for sep: UInt8 in [0x0A, 0x3E, 0x20] {
                if let k = s.firstIndex(of: sep, from: ofs + m), k - ofs + 1 <= 2 * m { j = k; break }
            }
            if j < 0 { j = ofs + m }
            result.append(Array(s[ofs...j]))
            ofs = j + 1
        }
        if ofs < s.count { result.append(Array(s[ofs...])) }
        return result
    }
}

/// `get_uri_list`: text URIs (which need a valid domain) and HTML URIs, canonicalised.
enum SAURIList {
    static let maxURILength = 8192

    static func build(paragraphs: [[UInt8]], html: [HTMLSummary]) -> [[UInt8]] {
        var all: Set<BytesKey> = []
        for found in TextURIExtractor.extract(paragraphs) {
            let cleaned = URICanonicalizer.canonicalize(found.uri).map { Array($0.prefix(maxURILength)) }
            guard cleaned.contains(where: { URICanonicalizer.uriHost($0) != nil }) else { continue }
            all.formUnion(cleaned.map(BytesKey.init))
        }
        for summary in html {
            for u in summary.uris {
                all.formUnion(URICanonicalizer.canonicalize(u.uri).map { BytesKey(Array($0.prefix(maxURILength))) })
            }
        }
        return all.map(\.bytes).sorted { $0.lexicographicallyPrecedes($1) }
    }
}
