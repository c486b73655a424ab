import Foundation
import MIME
import PCRE

/// Ports of `Mail::SpamAssassin::Plugin::MIMEEval` (4.0.1) over ``MIMEFacts`` (the
/// `$pms->{mime_*}` values `_check_attachments` computes) and the parser flags
/// `check_msg_parse_flags` reads.
public enum MIMEEvals {
    typealias S = EvalSupport

    static func register(into registry: inout EvalRegistry) {
        let functions: [(String, @Sendable (EvalInput) -> Bool)] = [
            ("check_for_mime", checkForMIME),
            ("check_for_mime_html", checkForMIMEHTML),
            ("check_for_mime_html_only", checkForMIMEHTMLOnly),
            ("check_mime_multipart_ratio", checkMIMEMultipartRatio),
            ("check_qp_ratio", checkQPRatio),
            ("check_msg_parse_flags", checkMsgParseFlags),
            ("check_ma_non_text", { facts($0)?.maNonText ?? false }),
            ("check_base64_length", checkBase64Length),
            ("check_for_ascii_text_illegal", { (facts($0)?.asciiTextIllegal ?? 0) > 0 }),
            ("check_abundant_unicode_ratio", checkAbundantUnicodeRatio),
            // Both return 0 up front under SpamAssassin's default `ok_locales all`.
            ("check_for_faraway_charset", { _ in false }),
            ("check_for_faraway_charset_in_headers", { _ in false }),
            ("check_for_uppercase", checkForUppercase),
        ]
        for (name, function) in functions {
            registry.register(name) { function($0) ? 1 : 0 }
        }
    }

    static func facts(_ input: EvalInput) -> MIMEFacts? { input.message?.mimeFacts }

    /// `check_for_mime($key)`: `$pms->{$key}` after `_check_attachments` (0 when unset).
    static func checkForMIME(_ input: EvalInput) -> Bool {
        guard let key = input.arguments.first, let f = facts(input) else { return false }
        switch key {
        case "mime_base64_count": return f.base64Count > 0
        case "mime_base64_encoded_text": return f.base64EncodedText
        case "mime_body_html_count": return f.bodyHTMLCount > 0
        case "mime_body_text_count": return f.bodyTextCount > 0
        case "mime_faraway_charset": return false  // ok_locales all
        case "mime_missing_boundary": return f.missingBoundary
        case "mime_multipart_alternative": return f.multipartAlternative
        case "mime_multipart_ratio": return f.multipartRatio != 0
        case "mime_qp_count": return f.qpCount > 0
        case "mime_qp_long_line": return f.qpLongLine
        case "mime_qp_ratio": return f.qpRatio != 0
        case "mime_ascii_text_illegal": return f.asciiTextIllegal > 0
        case "mime_text_unicode_ratio": return f.textUnicodeRatio != 0
        case "mime_attachment": return f.attachmentCount > 0
        case "mime_bad_iso_charset": return f.badISOCharset
        case "mime_qp_bytes": return f.qpBytes > 0
        // `mimepart_limit_exceeded` is a Message flag, never a $pms key: always 0.
        default: return false
        }
    }

    private static let textHTML = S.regex("^text/html", [.caseless])

    static func topIsHTML(_ input: EvalInput) -> Bool {
        S.matches(textHTML, S.getOrEmpty(input.subject, "Content-Type"))
    }

    static func checkForMIMEHTML(_ input: EvalInput) -> Bool {
        if topIsHTML(input) { return true }
        return (facts(input)?.bodyHTMLCount ?? 0) > 0
    }

    static func checkForMIMEHTMLOnly(_ input: EvalInput) -> Bool {
        if topIsHTML(input) { return true }
        guard let f = facts(input) else { return false }
        return f.bodyHTMLCount > 0 && f.bodyTextCount == 0
    }

    static func checkMIMEMultipartRatio(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 2, let min = S.number(input.arguments[0]), let max = S.number(input.arguments[1]),
              let f = facts(input) else { return false }
        return f.multipartRatio >= min && f.multipartRatio < max
    }

    static func checkQPRatio(_ input: EvalInput) -> Bool {
        guard let min = input.arguments.first.flatMap(S.number), let f = facts(input) else { return false }
        return f.qpRatio >= min
    }

    static func checkAbundantUnicodeRatio(_ input: EvalInput) -> Bool {
        guard let arg = input.arguments.first, let f = facts(input) else { return false }
        // /^\d{0,3}\.\d{1,3}$/
        let pieces = arg.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 2, pieces[0].count <= 3, (1...3).contains(pieces[1].count),
              pieces.allSatisfy({ $0.allSatisfy({ $0.isASCII && $0.isNumber }) }), let ratio = Double(arg) else { return false }
        return f.textUnicodeRatio >= ratio
    }

    static func checkBase64Length(_ input: EvalInput) -> Bool {
        guard let min = input.arguments.first.flatMap(S.number), let f = facts(input) else { return false }
        let length = Double(f.base64MaxLineLength)
        if input.arguments.count >= 2, let max = S.number(input.arguments[1]), length > max { return false }
        return length >= min
    }

    // MARK: - Parser flags

    private static let parseFlagsKey = SAMemoKey<MIMEParseFlags>()

    static func checkMsgParseFlags(_ input: EvalInput) -> Bool {
        guard let flag = input.arguments.last, let message = input.message else { return false }
        let flags = message.memoized(parseFlagsKey) { MIMEParseFlags(message.message) }
        switch flag {
        case "mime_epilogue_exists": return flags.epilogueExists
        case "missing_mime_head_body_separator": return flags.missingMIMEHeadBodySeparator
        case "missing_mime_headers": return flags.missingMIMEHeaders
        case "missing_head_body_separator": return flags.missingHeadBodySeparator
        case "truncated_header": return false
        case "mimepart_limit_exceeded": return message.message.defects.contains(.partLimit)
        default: return false
        }
    }

    // MARK: - check_for_uppercase

    private static let likelyToFP = S.regex(
        "^[-_a-z0-9]*(?:koi|jp|jis|euc|gb|big5|isoir|cp1251|windows-1251|georgianps|pt154|tis)[-_a-z0-9]*$", [.caseless])
    /// `/\S\s+\S/`: a run of blanks with something else on both sides.
    static func hasInnerSpace(_ text: [UInt8]) -> Bool {
        var seenText = false, inRun = false
        for b in text {
            if S.isSpace(b) {
                inRun = seenText
            } else {
                if inRun { return true }
                seenText = true
            }
        }
        return false
    }

    /// `/^(?:[A-Za-z0-9+\/=]{60,76} ){2}/`: the class holds no space, so each token is a
    /// whole run of it, 60 to 76 long, then a space.
    static func startsWithBase64Lines(_ text: [UInt8]) -> Bool {
        var i = 0
        for _ in 0..<2 {
            let start = i
            while i < text.count, isBase64Byte(text[i]) { i += 1 }
            guard i - start >= 60, i - start <= 76, i < text.count, text[i] == 0x20 else { return false }
            i += 1
        }
        return true
    }

    static func isBase64Byte(_ b: UInt8) -> Bool {
        S.isWordByte(b) && b != 0x5F || b == 0x2B || b == 0x2F || b == 0x3D
    }
    private static let shiftJIS = S.regex("\\x1b\\$B.*\\x1b\\(B", [.dotAll])
    private static let ctCharsets = [S.regex("charset=\"([^\"]+)\"", [.caseless]), S.regex("charset='([^']+)'", [.caseless]),
                                     S.regex("charset=(\\S+)", [.caseless])]

    /// `get_charset_from_ct_line`.
    static func charsetFromCTLine(_ value: [UInt8]) -> [UInt8]? {
        for re in ctCharsets {
            if let caps = S.captures(re, value), caps.count > 1, let c = caps[1] { return c }
        }
        return nil
    }

    private static let uppercasePercentKey = SAMemoKey<Double>()

    /// `_check_uppercase`'s percentage, once per message (three rules read it).
    static func uppercasePercent(_ input: EvalInput) -> Double {
        S.memo(input, uppercasePercentKey) { computeUppercasePercent(input) }
    }

    private static func computeUppercasePercent(_ input: EvalInput) -> Double {
        var charsets: [[UInt8]] = []
        if let ct = S.get(input.subject, "Content-Type"), let c = charsetFromCTLine(ct) { charsets.append(c) }
        if let f = facts(input) {
            for c in f.charsets { charsets += c.split(separator: " ").map { Array($0.utf8) } }
        }
        if charsets.contains(where: { S.matches(likelyToFP, $0) }) { return 0 }
        guard let message = input.message else { return 0 }
        var len = 0, lower = 0, upper = 0
        for paragraph in message.bodyParagraphs {
            guard hasInnerSpace(paragraph), !startsWithBase64Lines(paragraph) else { continue }
            // The Shift-JIS escape starts with ESC: without one the substitution is a no-op.
            let line = paragraph.contains(0x1B) ? S.replaceAll(shiftJIS, in: paragraph, with: []) : paragraph
            len += line.count
            for b in line {
                if (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) { lower += 1 } else if (0x41...0x5A).contains(b) { upper += 1 }
            }
            // `tr/a-z0-9//d` deletes the lower-case characters before `tr/A-Z//` counts: no effect on upper.
        }
        if len < 200 || upper + lower == 0 { return 0 }
        return Double(upper) / Double(upper + lower) * 100
    }

    static func checkForUppercase(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 2, let min = S.number(input.arguments[0]), let max = S.number(input.arguments[1]) else { return false }
        let value = uppercasePercent(input)
        return value > min && value <= max
    }
}

/// The parse flags SpamAssassin's `Message` sets while splitting the message
/// (`_parse_multipart`, header parsing), recomputed from the raw bytes.
struct MIMEParseFlags: Sendable {
    var epilogueExists = false
    var missingMIMEHeadBodySeparator = false
    var missingMIMEHeaders = false
    var missingHeadBodySeparator = false

    init(_ message: MIMEMessage) {
        missingHeadBodySeparator = message.defects.contains(.missingBlankLine)
        for part in message.allParts where part.contentType.isMultipart {
            guard let boundary = part.contentType.boundary, !boundary.isEmpty else { continue }
            scan(Array(message.bytes[part.bodyRange]), boundary: Array(boundary.utf8))
        }
    }

    /// `_parse_multipart` over one multipart body: lines after the closing boundary holding
    /// anything but whitespace and dots are an epilogue; a part whose first line is neither
    /// blank nor a header, or a part starting with a non-header line, is flagged.
    mutating func scan(_ body: [UInt8], boundary: [UInt8]) {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for i in body.indices where body[i] == 0x0A {
            lines.append(body[start...i]); start = i + 1
        }
        if start < body.count { lines.append(body[start...]) }
        let open = [0x2D, 0x2D] + boundary
        var index = 0
        // preamble
        while index < lines.count, !lines[index].starts(with: open) { index += 1 }
        guard index < lines.count else { return }
        var first = true
        while index < lines.count {
            let line = lines[index]
            var rest = line.dropFirst(open.count)
            while let l = rest.last, l == 0x0A || l == 0x0D || l == 0x20 || l == 0x09 { rest = rest.dropLast() }
            if line.starts(with: open) && rest.starts(with: [0x2D, 0x2D]) {
                // closing boundary: epilogue check
                for later in lines[(index + 1)...] where later.contains(where: { !Self.isSpace($0) && $0 != 0x2E }) {
                    epilogueExists = true
                    break
                }
                return
            }
            if line.starts(with: open) && rest.isEmpty {
                // part headers
                index += 1
                // a boundary after a part: the next line ought to be a MIME header
                if !first, index < lines.count, !Self.isHeaderLine(lines[index], allowBlanks: false) {
                    missingMIMEHeaders = true
                }
                first = false
                var sawHeader = false
                while index < lines.count {
                    let h = lines[index]
                    if h.starts(with: open) { break }
                    if Self.isHeaderLine(h) { sawHeader = true; index += 1; continue }
                    if sawHeader, let f = h.first, f == 0x20 || f == 0x09 { index += 1; continue }
                    if !Self.isBlank(h) { missingMIMEHeadBodySeparator = true }
                    break
                }
                while index < lines.count, !lines[index].starts(with: open) { index += 1 }
                continue
            }
            index += 1
        }
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }

    static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        // /^\r?$/
        line.allSatisfy { $0 == 0x0D || $0 == 0x0A } && line.filter({ $0 == 0x0D }).count <= 1
    }

    /// `/^[\041-\071\073-\176]+[ \t]*:/`
    static func isHeaderLine(_ line: ArraySlice<UInt8>, allowBlanks: Bool = true) -> Bool {
        var i = line.startIndex
        var n = 0
        while i < line.endIndex, (0x21...0x7E).contains(line[i]), line[i] != 0x3A { i += 1; n += 1 }
        guard n > 0 else { return false }
        while allowBlanks, i < line.endIndex, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        return i < line.endIndex && line[i] == 0x3A
    }
}

extension EvalRegistry {
    /// MIMEEval's functions.
    public mutating func registerMIMEEvals(config: RuleConfiguration) {
        MIMEEvals.register(into: &self)
    }
}
