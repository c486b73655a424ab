import Foundation
import MIME
import PCRE

/// Ports of `Mail::SpamAssassin::Plugin::BodyEval` (4.0.1) and HeaderEval's recipient
/// checks (`sorted_recipients`, `similar_recipients`).
public enum BodyEvals {
    typealias S = EvalSupport

    static func register(into registry: inout EvalRegistry) {
        let functions: [(String, @Sendable (EvalInput) -> Bool)] = [
            ("check_body_length", checkBodyLength),
            ("tvd_vertical_words", tvdVerticalWords),
            ("multipart_alternative_difference", multipartAlternativeDifference),
            ("multipart_alternative_difference_count", multipartAlternativeDifferenceCount),
            ("sorted_recipients", { recipients($0).sorted }),
            ("similar_recipients", similarRecipients),
        ]
        for (name, function) in functions {
            registry.register(name) { function($0) ? 1 : 0 }
        }
    }

    // MARK: - check_body_length

    /// `pristine_body_length`: the octets after the header section.
    static func pristineBodyLength(_ message: MIMEMessage) -> Int {
        let bytes = message.bytes
        var i = 0
        // an mbox "From " line is not part of the message
        if bytes.starts(with: "From ".utf8) {
            while i < bytes.count, bytes[i] != 0x0A { i += 1 }
            i += 1
        }
        var hdrErrors = 0
        var sawHeader = false
        while i < bytes.count {
            var e = i
            while e < bytes.count, bytes[e] != 0x0A { e += 1 }
            let line = bytes[i..<e]
            let next = e < bytes.count ? e + 1 : e
            if line.isEmpty || (line.count == 1 && line.first == 0x0D) { return bytes.count - next }
            if line.starts(with: "--".utf8) { return bytes.count - i }
            if let f = line.first, (f == 0x20 || f == 0x09) { i = next; continue }
            if !MIMEParseFlags.isHeaderLine(line) {
                hdrErrors += 1
                if hdrErrors > 3 { return bytes.count - i }
            }
            sawHeader = true
            i = next
        }
        _ = sawHeader
        return 0
    }

    private static let pristineBodyLengthKey = SAMemoKey<Int>()

    static func checkBodyLength(_ input: EvalInput) -> Bool {
        guard let min = input.arguments.first.flatMap(S.number), let message = input.message else { return false }
        return Double(message.memoized(pristineBodyLengthKey) { pristineBodyLength(message.message) }) <= min
    }

    // MARK: - tvd_vertical_words

    static func tvdVerticalWords(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 2, let min = S.number(input.arguments[0]), var max = S.number(input.arguments[1]),
              let message = input.message else { return false }
        if max >= 100 { max = 101 }
        var value = -1
        for line in message.bodyParagraphs {
            let l = line.count
            guard l > 5 else { continue }
            let spaces = line.reduce(0) { $0 + ($1 == 0x20 ? 1 : 0) }
            let nonspaces = l - spaces
            let pct = spaces > nonspaces || nonspaces == 0 ? 100 : (100 * spaces) / nonspaces
            if pct > value { value = pct }
        }
        return Double(value) >= min && Double(value) < max
    }

    // MARK: - multipart_alternative_difference

    struct MADiff: Sendable { var diff = 0.0; var html = 0; var text = 0 }

    static func isWordChar(_ b: UInt8) -> Bool { S.isWordByte(b) || b >= 0x80 }

    /// `grep(/\w/, split(/\s+/, $rnd))`
    static func words(_ text: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var current: [UInt8] = []
        func flush() { if current.contains(where: isWordChar) { out.append(current) }; current = [] }
        var i = 0
        while i < text.count {
            let b = text[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C { flush(); i += 1; continue }
            // Unicode spaces Perl's \s matches on character strings: NBSP and U+2000-200A etc.
            if b == 0xC2, i + 1 < text.count, text[i + 1] == 0xA0 || text[i + 1] == 0x85 { flush(); i += 2; continue }
            if b == 0xE2, i + 2 < text.count, text[i + 1] == 0x80, (0x80...0x8A).contains(text[i + 2]) || text[i + 2] == 0xA8
                || text[i + 2] == 0xA9 || text[i + 2] == 0xAF { flush(); i += 3; continue }
            if b == 0xE3, i + 2 < text.count, text[i + 1] == 0x80, text[i + 2] == 0x80 { flush(); i += 3; continue }
            current.append(b); i += 1
        }
        flush()
        return out
    }

    static func allParts(_ part: MIMEPart) -> [MIMEPart] { [part] + part.children.flatMap(allParts) }

    private static let madiffKey = SAMemoKey<MADiff>()

    /// `_multipart_alternative_difference`, once per message (two rules read it).
    static func madiff(_ message: SAMessage) -> MADiff {
        message.memoized(madiffKey) { computeMADiff(message) }
    }

    private static func computeMADiff(_ message: SAMessage) -> MADiff {
        var result = MADiff()
        let msg = message.message
        let alternatives = msg.allParts.filter { $0.contentType.mimeType.hasPrefix("multipart/alternative") }
        if alternatives.isEmpty { return result }
        let summary = msg.allParts.map { $0.contentType.mimeType }
        if summary == ["multipart/alternative", "text/html", "text/calendar"] { return result }
        for alternative in alternatives {
            var html: [BytesKey: Int] = [:]
            var text: [BytesKey: Int] = [:]
            for part in allParts(alternative) where part.isLeaf && part.contentType.type == "text" {
                // The body renderer has normalized or rendered most of these parts already
                // (not the ones it took for the other type: a text/plain part named *.html).
                let known = message.textParts.first { $0.bodyRange == part.bodyRange }
                func normalized() -> [UInt8] {
                    SACharset.normalize(SABodyRenderer.decode(part, in: msg), charset: part.contentType.charset ?? "us-ascii")
                }
                if part.contentType.mimeType == "text/html" {
                    let rendering = known?.rendering ?? HTMLRenderer.render(normalized())
                    for w in words(rendering.text) { html[BytesKey(w), default: 0] += 1 }
                    if html.isEmpty && rendering.summary.inside["img"] != nil { html[BytesKey([0x0A])] = 1 }
                } else {
                    for w in words(known?.normalized ?? normalized()) { text[BytesKey(w), default: 0] += 1 }
                }
            }
            let orig = html.count
            if orig == 0 { continue }
            result.html = orig
            result.text = text.count
            for (k, v) in text { if let h = html[k], h - v < 1 { html[k] = nil } }
            let diff = Double(html.count) / Double(orig) * 100
            if diff > result.diff { result.diff = diff }
        }
        return result
    }

    static func multipartAlternativeDifference(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 2, let min = S.number(input.arguments[0]),
              let message = input.message else { return false }
        let d = madiff(message).diff
        let maxArg = input.arguments[1]
        return (min == 0 || d > min) && (maxArg == "undef" || d <= (S.number(maxArg) ?? 0))
    }

    static func multipartAlternativeDifferenceCount(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 2, let ratio = S.number(input.arguments[0]), let minHTML = S.number(input.arguments[1]),
              let message = input.message else { return false }
        let d = madiff(message)
        guard Double(d.html) > minHTML else { return false }
        return Double(d.text) / Double(d.html) > ratio
    }

    // MARK: - Recipients (HeaderEval `_check_recipients`)

    private struct Recipients: Sendable { var sorted: Bool; var similar: Double }
    private static let recipientsKey = SAMemoKey<Recipients>()

    /// `_check_recipients`, once per message (two rules read it).
    static func recipients(_ input: EvalInput) -> (sorted: Bool, similar: Double) {
        let r = S.memo(input, recipientsKey) {
            let r = computeRecipients(input)
            return Recipients(sorted: r.sorted, similar: r.similar)
        }
        return (r.sorted, r.similar)
    }

    private static func computeRecipients(_ input: EvalInput) -> (sorted: Bool, similar: Double) {
        var inputs: [[UInt8]] = []
        for spec in ["ToCc:addr", "Bcc:addr"] {
            inputs += S.list(input.subject, spec)
            if inputs.count >= 5 { break }
        }
        var address: [[UInt8]] = []
        var previous: [UInt8] = []
        for current in inputs {
            // `while (my $current = shift @inputs)`: stops at an empty or "0" address
            if current.isEmpty || current == [0x30] { break }
            if S.lower(current) != S.lower(previous) { previous = current; address.append(current) }
            if address.count == 256 { break }
        }
        let sorted = address.count >= 7 && address == address.sorted { $0.lexicographicallyPrecedes($1) }
        var similar = 0.0
        if address.count >= 5 {
            let user = address.map { Array($0.prefix(2)) }
            let fqhn: [[UInt8]?] = address.map { a in a.firstIndex(of: 0x40).map { Array(a[(a.index(after: $0))...]) } }
            // Perl's map over m/\@(.*)/ drops addresses without "@", shifting later indexes.
            let compact = fqhn.compactMap { $0 }
            let host = compact.map { Array($0.prefix(2)) }
            var hits = 0, combinations = 0
            for i in address.indices {
                for j in (i + 1)..<max(i + 1, address.count) {
                    if user[i] == user[j] { hits += 1 }
                    let hi = i < host.count ? host[i] : nil, hj = j < host.count ? host[j] : nil
                    let fi = i < compact.count ? compact[i] : nil, fj = j < compact.count ? compact[j] : nil
                    if hi == hj && fi != fj { hits += 1 }
                    combinations += 1
                }
            }
            similar = combinations > 0 ? Double(hits) / Double(combinations) : 0
        }
        return (sorted, similar)
    }

    static func similarRecipients(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 2 else { return false }
        let value = recipients(input).similar
        let minArg = input.arguments[0], maxArg = input.arguments[1]
        return (minArg == "undef" || value >= (S.number(minArg) ?? 0)) && (maxArg == "undef" || value < (S.number(maxArg) ?? 0))
    }
}

extension EvalRegistry {
    /// BodyEval's functions (and HeaderEval's recipient checks).
    public mutating func registerBodyEvals(config: RuleConfiguration) {
        BodyEvals.register(into: &self)
    }
}
