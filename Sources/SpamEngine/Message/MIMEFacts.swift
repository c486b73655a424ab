import Foundation
import MIME

/// Structural MIME facts: the `$pms->{mime_*}` values SpamAssassin 4.0.1's
/// `Plugin::MIMEEval::_check_attachments` / `_check_mime_header` compute, plus
/// `_check_base64_length` and `check_ma_non_text`, computed once per message.
///
/// `mime_faraway_charset` is always false: SpamAssassin's default `ok_locales all`
/// accepts every charset.
public struct MIMEFacts: Sendable, Equatable {
    /// One part as the MIME eval functions see it (every part, containers included).
    public struct Part: Sendable, Equatable {
        /// `type/subtype`, lowercase.
        public var contentType: String
        public var charset: String?
        /// `Content-Transfer-Encoding` as written, lowercased, "" when absent.
        public var transferEncoding: String
        /// `Content-Disposition` value as written, lowercased, "" when absent.
        public var disposition: String
        public var filename: String?
        public var isLeaf: Bool
        public var depth: Int
    }
    public var parts: [Part] = []
    public var base64Count = 0
    /// text/* in base64 with an ASCII (or no) charset, not declared attachment/inline.
    public var base64EncodedText = false
    public var bodyHTMLCount = 0
    public var bodyTextCount = 0
    public var faraway = false
    public var missingBoundary = false
    public var multipartAlternative = false
    /// text/plain bytes ÷ text/html bytes of the last alternative pair (1.0 by default).
    public var multipartRatio: Double = 1.0
    /// After `_check_attachments`: QP-encoded characters (not QP parts) when any QP part exists.
    public var qpCount = 0
    public var qpBytes = 0
    public var qpLongLine = false
    public var qpRatio: Double = 0
    /// Lines with NUL/CR/8-bit bytes in us-ascii text/plain parts (a count, as in SA).
    public var asciiTextIllegal = 0
    public var textUnicodeRatio: Double = 0
    public var attachmentCount = 0
    public var badISOCharset = false
    /// Charsets seen in Content-Type headers, in order (`mime_html_charsets`).
    public var charsets: [String] = []
    /// Longest raw line of a base64 leaf, "\n" included (`check_base64_length`).
    public var base64MaxLineLength = 0
    /// A multipart/alternative with a non-text direct child (`check_ma_non_text`).
    public var maNonText = false

    /// `allParts` as `message.allParts` gives them, `headers` their header stores.
    init(_ message: MIMEMessage, allParts: [MIMEPart], headers: [SAHeaderStore]) {
        var qpBytes = 0, qpEncoded = 0
        var normalChars = 0, unicodeChars = 0
        var partBytes: [Int?] = []
        var partTypes: [String] = []
        for (part, store) in zip(allParts, headers) {
            let ctype = part.contentType.mimeType
            if ctype == "multipart/alternative" {
                multipartAlternative = true
                for child in part.children where child.children.isEmpty || child.contentType.isEmbeddedMessage {
                    let t = child.contentType.mimeType
                    if t != "multipart/related" && t != "application/rtf" && child.contentType.type != "text" { maNonText = true }
                }
            }
            let cte = Self.lastValue(store, "Content-Transfer-Encoding").lowercased()
            let cd = Self.lastValue(store, "Content-Disposition").lowercased()
            let charset = part.contentType.charset?.lowercased()
            parts.append(Part(contentType: ctype, charset: charset, transferEncoding: cte, disposition: cd,
                              filename: part.filename, isLeaf: part.children.isEmpty, depth: part.depth))
            checkHeader(ctype: ctype, cte: cte, cd: cd, charset: charset ?? "")
            guard part.children.isEmpty else { continue }
            partTypes.append(ctype)
            partBytes.append(cd.contains("attachment") ? nil : 0)
            let idx = partBytes.count - 1
            let raw = SABodyRenderer.rawBody(part, in: message)
            let isBase64 = cte.contains("base64")
            var lineStart = raw.startIndex
            while lineStart < raw.endIndex {
                var e = lineStart
                while e < raw.endIndex, raw[e] != 0x0A { e += 1 }
                if e < raw.endIndex { e += 1 }
                let line = raw[lineStart..<e]
                lineStart = e
                if multipartAlternative, !cd.contains("attachment"), ctype == "text/plain" || ctype == "text/html" {
                    partBytes[idx] = (partBytes[idx] ?? 0) + line.count
                }
                if cte == "quoted-printable", !line.starts(with: "SPAM: ".utf8) {
                    if line.count > 79 { qpLongLine = true }
                    qpBytes += line.count
                    if line.contains(0x3D) {
                        let (n, trailing) = Self.qpEncodedCount(line)
                        if n > 0 { qpEncoded += n - trailing }
                    }
                }
                if ctype == "text/plain", charset == nil || charset == "us-ascii",
                   line.contains(where: { $0 == 0x00 || $0 == 0x0D || $0 >= 0x80 }) {
                    asciiTextIllegal += 1
                }
                if ctype == "text/plain", cte.isEmpty || cte == "7bit" || cte == "8bit" {
                    let subs = Self.countUnicodeEntities(line)
                    normalChars += line.count - subs * 8
                    unicodeChars += subs
                }
                if isBase64, cte == "base64", ctype != "application/ics" {
                    base64MaxLineLength = max(base64MaxLineLength, line.count)
                }
            }
        }
        if qpBytes > 0 {
            self.qpBytes = qpBytes
            qpCount = qpEncoded
            qpRatio = Double(qpEncoded) / Double(qpBytes)
        }
        if normalChars > 0 { textUnicodeRatio = Double(unicodeChars) / Double(normalChars) }
        if multipartAlternative {
            var text: Int?, html: Int?
            for i in stride(from: partBytes.count - 1, through: 0, by: -1) {
                guard let b = partBytes[i] else { continue }
                if html == nil, partTypes[i] == "text/html" { html = b }
                else if text == nil, partTypes[i] == "text/plain" { text = b }
                if html != nil && text != nil { break }
            }
            if let t = text, let h = html, h > 0 { multipartRatio = Double(t) / Double(h) }
        }
        missingBoundary = message.defects.contains { $0 == .unterminatedMultipart || $0 == .boundaryNotFound }
    }

    /// `_check_mime_header`.
    mutating func checkHeader(ctype: String, cte: String, cd: String, charset: String) {
        if ctype == "text/html" { bodyHTMLCount += 1 } else if ctype.hasPrefix("text") { bodyTextCount += 1 }
        if cte.contains("base64") { base64Count += 1 } else if cte.contains("quoted-printable") { qpCount += 1 }
        if cd.contains("attachment") { attachmentCount += 1 }
        let asciiNames = ["us-ascii", "ansi_x3.4-1968", "iso-ir-6", "ansi_x3.4-1986", "iso_646.irv:1991", "ascii",
                          "iso646-us", "us", "ibm367", "cp367", "csascii"]
        if ctype.hasPrefix("text"), cte.contains("base64"),
           charset.isEmpty || asciiNames.contains(where: { charset.contains($0) }),
           !(cd.hasPrefix("attachment") || cd.hasPrefix("inline")) {
            base64EncodedText = true
        }
        if charset.hasPrefix("iso-") || charset.contains("iso-") {
            let a = Array(charset.unicodeScalars)
            if !Self.hasGoodISOCharset(a), Self.hasISOTriple(a) { badISOCharset = true }
        }
        if charset.contains(where: { $0.isLetter }) { charsets.append(charset) }
    }

    static func lastValue(_ store: SAHeaderStore, _ name: String) -> String {
        guard let v = store.decoded(name).last else { return "" }
        return String(decoding: v.dropLast(), as: UTF8.self)
    }

    /// `=(?:09|3[0-9ABCEF]|[2456][0-9A-F]|7[0-9A-E])` matches, and the trailing `(=09|=20)+`
    /// run before the line end (counted in escapes).
    static func qpEncodedCount(_ line: ArraySlice<UInt8>) -> (Int, Int) {
        let a = Array(line)
        var n = 0
        var i = 0
        func up(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x41...0x46).contains(b) }
        while i + 2 < a.count {
            if a[i] == 0x3D {
                let h = a[i + 1], l = a[i + 2]
                var ok = false
                switch h {
                case 0x30: ok = l == 0x39
                case 0x33: ok = (0x30...0x39).contains(l) || [0x41, 0x42, 0x43, 0x45, 0x46].contains(l)
                case 0x32, 0x34, 0x35, 0x36: ok = up(l)
                case 0x37: ok = (0x30...0x39).contains(l) || (0x41...0x45).contains(l)
                default: ok = false
                }
                if ok { n += 1; i += 3; continue }
            }
            i += 1
        }
        // trailing (?:=09|=20)+ followed only by whitespace
        var end = a.count
        while end > 0, UTF8Text.isASCIISpace(a[end - 1]) { end -= 1 }
        var trailing = 0
        while end >= 3, a[end - 3] == 0x3D, (a[end - 2] == 0x30 && a[end - 1] == 0x39) || (a[end - 2] == 0x32 && a[end - 1] == 0x30) {
            trailing += 1; end -= 3
        }
        return (n, trailing)
    }

    /// `&#x[0-9A-F]{4};` occurrences.
    static func countUnicodeEntities(_ line: ArraySlice<UInt8>) -> Int {
        let a = Array(line)
        var n = 0, i = 0
        while i + 8 <= a.count {
            if a[i] == 0x26, a[i + 1] == 0x23, a[i + 2] == 0x78,
               a[(i + 3)..<(i + 7)].allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) }), a[i + 7] == 0x3B {
                n += 1; i += 8; continue
            }
            i += 1
        }
        return n
    }

    /// `check_for_mime_html_only` given the top-level Content-Type.
    public var htmlOnly: Bool { bodyHTMLCount > 0 && bodyTextCount == 0 }
}

extension MIMEFacts {
    private typealias ICU = ICUScalarClasses

    /// `iso-(?:8859-\d{1,2}|2022-(?:jp|kr))\b` (ICU) matches somewhere in `a`.
    fileprivate static func hasGoodISOCharset(_ a: [Unicode.Scalar]) -> Bool {
        var i = 0
        while i + 4 <= a.count {
            defer { i += 1 }
            guard ICU.hasLiteral(a, at: i, "iso-") else { continue }
            let j = i + 4
            if ICU.hasLiteral(a, at: j, "8859-"), j + 5 < a.count, ICU.isDigit(a[j + 5]) {
                if j + 6 < a.count, ICU.isDigit(a[j + 6]), ICU.isBoundary(a, j + 7) { return true }
                if ICU.isBoundary(a, j + 6) { return true }
            }
            if ICU.hasLiteral(a, at: j, "2022-jp") || ICU.hasLiteral(a, at: j, "2022-kr"), ICU.isBoundary(a, j + 7) { return true }
        }
        return false
    }

    /// `iso-\S+-\S+\b` (ICU) matches somewhere in `a`.
    fileprivate static func hasISOTriple(_ a: [Unicode.Scalar]) -> Bool {
        var i = 0
        while i + 4 <= a.count {
            defer { i += 1 }
            guard ICU.hasLiteral(a, at: i, "iso-") else { continue }
            let start = i + 4
            var e = start
            while e < a.count, !ICU.isSpace(a[e]) { e += 1 }
            // the first '-' with a non-space before it (after "iso-") and after it
            var dash = start + 1
            while dash < e - 1, a[dash] != "-" { dash += 1 }
            guard dash < e - 1, a[dash] == "-" else { continue }
            for k in (dash + 2)...e where ICU.isBoundary(a, k) { return true }
        }
        return false
    }
}
