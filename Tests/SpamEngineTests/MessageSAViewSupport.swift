import Foundation
import MIME
@testable import SpamEngine

/// Renders Moat's `SAMessage` in the line format of Fixtures/sa_view.pl, so the two can be
/// compared line by line.
enum MessageSAView {
    static let headerSelectors: [String] = [
        "Subject", "From", "From:addr", "From:name", "To", "ToCc", "Subject:raw", "MESSAGEID", "Content-Type",
        "X-Spam-Relays-Untrusted", "X-Spam-Relays-Trusted", "Reply-To:addr", "To:addr", "Received", "ALL",
    ]

    static func escape(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        for b in bytes {
            switch b {
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0x00..<0x20, 0x7F: out += Array(String(format: "\\x%02x", b).utf8)
            default: out.append(b)
            }
        }
        return latin1(out)
    }

    /// Bytes as Latin-1 code points: lossless, so byte differences stay visible.
    static func latin1<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b)) }
        return String(s)
    }

    static func selector(_ spec: String) -> HeaderSelector {
        let parts = spec.split(separator: ":")
        let mods = parts.dropFirst().compactMap { HeaderModifier(rawValue: String($0)) }
        return HeaderSelector(name: String(parts[0]), modifiers: mods)
    }

    struct View {
        var body: [String] = []
        var rawbody: [String] = []
        var uris: [String] = []
        var headers: [String: String] = [:]
        var mime: [String] = []
    }

    static func num(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(format: "%.4f", d)
    }

    static func mimeLines(_ f: MIMEFacts) -> [String] {
        let b: (Bool) -> String = { $0 ? "1" : "0" }
        return [
            "mime_base64_count\t\(f.base64Count)", "mime_base64_encoded_text\t\(b(f.base64EncodedText))",
            "mime_body_html_count\t\(f.bodyHTMLCount)", "mime_body_text_count\t\(f.bodyTextCount)",
            "mime_multipart_alternative\t\(b(f.multipartAlternative))", "mime_multipart_ratio\t\(num(f.multipartRatio))",
            "mime_qp_count\t\(f.qpCount)", "mime_qp_long_line\t\(b(f.qpLongLine))", "mime_qp_ratio\t\(num(f.qpRatio))",
            "mime_ascii_text_illegal\t\(f.asciiTextIllegal)", "mime_missing_boundary\t\(b(f.missingBoundary))",
            "mime_faraway_charset\t\(b(f.faraway))", "base64_length\t\(f.base64MaxLineLength)", "ma_non_text\t\(b(f.maNonText))",
        ]
    }

    static func view(of m: SAMessage) -> View {
        var v = View()
        v.body = m.bodyParagraphs.map(escape)
        v.rawbody = m.rawbodyLines.map(escape)
        v.uris = m.uris.map(escape).sorted()
        for h in headerSelectors {
            v.headers[h] = m.header(selector(h)).map(escape) ?? "<undef>"
        }
        v.mime = mimeLines(m.mimeFacts)
        return v
    }

    static func parseFixture(_ data: [UInt8]) -> View { parseFixture(latin1(data)) }

    static func parseFixture(_ text: String) -> View {
        var v = View()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where line.count >= 2 {
            let tag = line.prefix(1)
            let rest = String(line.dropFirst(2))
            switch tag {
            case "B": v.body.append(rest)
            case "R": v.rawbody.append(rest)
            case "U": v.uris.append(rest)
            case "M": v.mime.append(rest)
            case "H":
                if let tab = rest.firstIndex(of: "\t") {
                    v.headers[String(rest[..<tab])] = String(rest[rest.index(after: tab)...])
                }
            default: break
            }
        }
        v.uris.sort()
        return v
    }
}
