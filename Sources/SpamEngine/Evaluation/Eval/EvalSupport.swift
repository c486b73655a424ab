import Foundation
import PCRE

/// Helpers shared by the ported `eval:` functions: SpamAssassin's `$pms->get()` spelled as
/// a string (`"From:addr"`), Perl-like regex matching on bytes, and small byte utilities.
enum EvalSupport {
    /// Compiles a regex that is part of Moat's own source (a port of a SpamAssassin literal);
    /// failure is a programming error caught by the unit tests.
    static func regex(_ pattern: String, _ options: PCREOptions = []) -> PCRERegex {
        do {
            return try PCRERegex(pattern, options: options)
        } catch {
            fatalError("eval regex failed to compile: \(pattern): \(error)")
        }
    }

    /// `Name:mod:mod` → HeaderSelector (unknown modifiers, e.g. `:first`, are ignored, as the
    /// scalar `get()` this models already returns the first address for `:addr`).
    static func selector(_ spec: String) -> HeaderSelector {
        selectorCache.selector(spec)
    }

    /// Parsed selectors by spec: eval arguments are a small fixed set, parsed once.
    private static let selectorCache = SelectorCache()

    private final class SelectorCache: @unchecked Sendable {
        private let lock = NSLock()
        private var parsed: [String: HeaderSelector] = [:]

        func selector(_ spec: String) -> HeaderSelector {
            lock.lock()
            if let cached = parsed[spec] {
                lock.unlock()
                return cached
            }
            lock.unlock()
            let value = EvalSupport.parseSelector(spec)
            lock.lock()
            if parsed.count < 4096 { parsed[spec] = value }
            lock.unlock()
            return value
        }
    }

    static func parseSelector(_ spec: String) -> HeaderSelector {
        var parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let name = parts.removeFirst()
        var modifiers: [HeaderModifier] = []
        for part in parts {
            if let modifier = HeaderModifier(rawValue: part), !modifiers.contains(modifier) {
                modifiers.append(modifier)
            }
        }
        return HeaderSelector(name: name, modifiers: modifiers)
    }

    /// Whether scalar `get()` returns only the first value, newline stripped (SpamAssassin:
    /// `:addr`, `:name`, `:host`, `:domain`, `:ip`, `:revip`, and `EnvelopeFrom`).
    static func returnsFirstOnly(_ selector: HeaderSelector) -> Bool {
        selector.name == "EnvelopeFrom"
            || selector.modifiers.contains { [.addr, .name, .host, .domain, .ip, .revip].contains($0) }
    }

    /// Scalar `$pms->get($spec, undef)`: nil when absent. `RuleSubject.header` joins the
    /// values (address values with "\n"); scalar get keeps only the first for address forms.
    static func get(_ subject: any RuleSubject, _ spec: String) -> [UInt8]? {
        let sel = selector(spec)
        guard var value = subject.header(sel) else { return nil }
        if returnsFirstOnly(sel), let newline = value.firstIndex(of: 0x0A) {
            value = Array(value[..<newline])
        }
        return value
    }

    /// Scalar `$pms->get($spec)`: "" when absent.
    static func getOrEmpty(_ subject: any RuleSubject, _ spec: String) -> [UInt8] {
        get(subject, spec) ?? []
    }

    /// `$pms->get($spec)` in list context: one element per header instance (each ending in
    /// "\n") or per address. Uses `SAMessage.headerValues` when available; otherwise splits
    /// the joined `header()` text (a decoded value holding an embedded newline, from an
    /// encoded-word `=0A`, would then count as two).
    static func list(_ subject: any RuleSubject, _ spec: String) -> [[UInt8]] {
        let sel = selector(spec)
        if let message = subject as? SAMessage { return message.headerValues(sel) }
        guard let joined = subject.header(sel), !joined.isEmpty else { return [] }
        if returnsFirstOnly(sel) {
            return joined.split(separator: 0x0A).map(Array.init)
        }
        var out: [[UInt8]] = []
        var current: [UInt8] = []
        for byte in joined {
            current.append(byte)
            if byte == 0x0A {
                out.append(current)
                current = []
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    static func instances(_ subject: any RuleSubject, _ spec: String) -> [[UInt8]] { list(subject, spec) }

    /// Perl `split(/\n/, $text)` (trailing empty fields removed).
    static func lines(_ text: [UInt8]) -> [[UInt8]] {
        var out = text.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        while let last = out.last, last.isEmpty { out.removeLast() }
        return out
    }

    static func matches(_ regex: PCRERegex, _ bytes: [UInt8]) -> Bool {
        regex.firstMatch(in: bytes) != nil
    }

    /// Capture groups of the first match (nil when no match; inner nil for groups not taking part).
    static func captures(_ regex: PCRERegex, _ bytes: [UInt8], from start: Int = 0) -> [[UInt8]?]? {
        let ranges: [Range<Int>?]?
        do {
            ranges = try bytes.withUnsafeBufferPointer { buffer throws(PCREError) in
                try regex.captures(in: buffer, from: start)
            }
        } catch {
            return nil
        }
        guard let ranges else { return nil }
        return ranges.map { range in range.map { Array(bytes[$0]) } }
    }

    /// The whole-match ranges of every non-overlapping match (Perl `/g`).
    static func allMatches(_ regex: PCRERegex, _ bytes: [UInt8]) -> [[Range<Int>?]] {
        var out: [[Range<Int>?]] = []
        var start = 0
        while start <= bytes.count {
            let found: [Range<Int>?]?
            do {
                found = try bytes.withUnsafeBufferPointer { buffer throws(PCREError) in
                    try regex.captures(in: buffer, from: start)
                }
            } catch {
                break
            }
            guard let found, let whole = found[0] else { break }
            out.append(found)
            start = whole.isEmpty ? whole.upperBound + 1 : whole.upperBound
        }
        return out
    }

    /// Perl `s/re/replacement/g` with a literal replacement (whole matches only, so one
    /// match buffer serves every match).
    static func replaceAll(_ regex: PCRERegex, in bytes: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var last = 0
        var start = 0
        let scratch = PCREScratch()
        bytes.withUnsafeBufferPointer { buffer in
            while start <= buffer.count, let whole = regex.firstMatch(in: buffer, from: start, scratch: scratch) {
                out += buffer[last..<whole.lowerBound]
                out += replacement
                last = whole.upperBound
                start = whole.isEmpty ? whole.upperBound + 1 : whole.upperBound
            }
        }
        out += bytes[last...]
        return out
    }

    /// Perl `quotemeta` for embedding bytes in a PCRE pattern held in a Swift String: word
    /// characters as-is, other ASCII escaped, non-ASCII as `\xHH` (byte-mode match).
    static func quoteMeta(_ bytes: [UInt8]) -> String {
        var out = ""
        for byte in bytes {
            if isWordByte(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte < 0x80 && byte >= 0x20 && byte != 0x7F {
                out += "\\"
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return out
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    /// Perl `\s` on bytes (space, \t, \n, \v, \f, \r).
    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D)
    }

    /// Perl `lc` on a byte string (ASCII letters only).
    static func lower(_ bytes: [UInt8]) -> [UInt8] { bytes.map(lowerByte) }

    @inline(__always) static func lowerByte(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 0x20 : b }

    static func trim(_ bytes: [UInt8]) -> [UInt8] {
        var lo = 0, hi = bytes.count
        while lo < hi, isSpace(bytes[lo]) { lo += 1 }
        while hi > lo, isSpace(bytes[hi - 1]) { hi -= 1 }
        return Array(bytes[lo..<hi])
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// `compute` once per message when the subject is an SAMessage, else on every call.
    static func memo<T: Sendable>(_ input: EvalInput, _ key: SAMemoKey<T>, _ compute: () -> T) -> T {
        input.message.map { $0.memoized(key, compute) } ?? compute()
    }

    /// As above for helpers that only see the subject.
    static func memo<T: Sendable>(_ subject: any RuleSubject, _ key: SAMemoKey<T>, _ compute: () -> T) -> T {
        (subject as? SAMessage).map { $0.memoized(key, compute) } ?? compute()
    }

    /// Perl numeric conversion of a rule argument (`'-12'`, `'0.010'`); nil for `undef`.
    static func number(_ argument: String?) -> Double? {
        guard let argument, argument != "undef" else { return nil }
        // Rule arguments are ASCII: scan bytes (no grapheme breaking); others go the long way.
        if let ascii = asciiNumber(argument) { return ascii }
        let trimmed = argument.drop(while: { $0 == " " || $0 == "\t" })
        // Perl takes the longest numeric prefix; rule arguments are plain numbers.
        var end = trimmed.startIndex
        var seenDigit = false, seenDot = false
        for (offset, char) in zip(trimmed.indices, trimmed) {
            if (char == "-" || char == "+") && offset == trimmed.startIndex { end = trimmed.index(after: offset); continue }
            if char.isASCII && char.isNumber { seenDigit = true; end = trimmed.index(after: offset); continue }
            if char == "." && !seenDot { seenDot = true; end = trimmed.index(after: offset); continue }
            break
        }
        guard seenDigit else { return 0 }
        return Double(trimmed[..<end]) ?? 0
    }

    /// `number` for an all-ASCII argument, where bytes and Characters coincide (a CRLF
    /// pair, one Character, ends the number either way); nil for any other argument.
    private static func asciiNumber(_ argument: String) -> Double? {
        var argument = argument
        return argument.withUTF8 { bytes -> Double? in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            var start = 0
            while start < bytes.count, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            var end = start
            var seenDigit = false, seenDot = false
            while end < bytes.count {
                let b = bytes[end]
                if (b == 0x2D || b == 0x2B) && end == start { end += 1; continue }
                if b >= 0x30 && b <= 0x39 { seenDigit = true; end += 1; continue }
                if b == 0x2E && !seenDot { seenDot = true; end += 1; continue }
                break
            }
            guard seenDigit else { return 0 }
            let digits = UnsafeBufferPointer(rebasing: bytes[start..<end])
            return exactDecimal(digits) ?? Double(String(decoding: digits, as: UTF8.self)) ?? 0
        }
    }

    /// `[+-]?digits[.digits]` with at most 15 significant digits and 22 decimals, as IEEE
    /// division of two exactly representable numbers (Clinger's fast path: the correctly
    /// rounded value `Double(String)` gives); nil for anything longer.
    private static func exactDecimal(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        var mantissa: Int64 = 0, digits = 0, decimals = 0, negative = false, inFraction = false
        for (i, b) in text.enumerated() {
            switch b {
            case 0x2D where i == 0: negative = true
            case 0x2B where i == 0: break
            case 0x2E: inFraction = true
            default:
                mantissa = mantissa * 10 + Int64(b - 0x30)
                digits += 1
                if inFraction { decimals += 1 }
            }
        }
        guard digits <= 15, decimals <= 22 else { return nil }
        let value = Double(mantissa) / powersOfTen[decimals]
        return negative ? -value : value
    }

    /// 10^0 … 10^22, each exact (products of exact values that stay below 2^53·2^k).
    private static let powersOfTen: [Double] = {
        var powers = [1.0]
        for _ in 1...22 { powers.append(powers[powers.count - 1] * 10) }
        return powers
    }()

    /// SpamAssassin's `IP_ADDRESS` (Constants.pm), compiled `/ix`.
    static let ipAddressPattern = #"""
        (?:
          \b(?<!:)
          (?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.
          (?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.
          (?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.
          (?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\b
        |
          (?:IPv6:
            | (?<![a-f0-9:])
          )
          (?:
            (?:
              (?:[a-f0-9]{1,4}:){6}
              | ::(?:[a-f0-9]{1,4}:){0,5}
              | (?:[a-f0-9]{1,4}:){1,5}:
              | [a-f0-9]{1,4}::(?:[a-f0-9]{1,4}:){1,4}
              | (?:[a-f0-9]{1,4}:){2}:(?:[a-f0-9]{1,4}:){1,3}
              | (?:[a-f0-9]{1,4}:){3}:(?:[a-f0-9]{1,4}:){1,2}
              | (?:[a-f0-9]{1,4}:){4}:[a-f0-9]{1,4}:
            )
            (?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.
            (?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.
            (?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.
            (?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)
          | (?:[a-f0-9]{1,4}:){7}[a-f0-9]{1,4}
          | :(?::[a-f0-9]{1,4}){1,7}
          | (?:[a-f0-9]{1,4}:){1,7}:
          | [a-f0-9]{1,4}:(?::[a-f0-9]{1,4}){1,6}
          | (?:[a-f0-9]{1,4}:){2}(?::[a-f0-9]{1,4}){1,5}
          | (?:[a-f0-9]{1,4}:){3}(?::[a-f0-9]{1,4}){1,4}
          | (?:[a-f0-9]{1,4}:){4}(?::[a-f0-9]{1,4}){1,3}
          | (?:[a-f0-9]{1,4}:){5}(?::[a-f0-9]{1,4}){1,2}
          | (?:[a-f0-9]{1,4}:){6}:[a-f0-9]{1,4}
          | ::
          )
          (?![a-f0-9:])
        )
        """#

    /// A pattern embedding `IP_ADDRESS` as `(?ix: … )` wherever `$IP_ADDRESS` appears.
    static func withIP(_ pattern: String) -> String {
        let group = "(?ix:" + ipAddressPattern + ")"
        var out = ""
        var rest = Substring(pattern)
        let token = "$IP_ADDRESS"
        while !rest.isEmpty {
            if rest.hasPrefix(token) {
                out += group
                rest = rest.dropFirst(token.count)
            } else {
                out.append(rest.removeFirst())
            }
        }
        return out
    }
}

