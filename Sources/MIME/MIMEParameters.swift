/// The `value; name=value; …` syntax shared by Content-Type and Content-Disposition
/// (RFC 2045 §5.1, RFC 2183 §2), including RFC 2231 continuations and charsets.
public enum MIMEParameters {
    /// Splits an unfolded header value into its leading value and its parameters.
    ///
    /// Parameter names are lowercased; values are unquoted (backslash escapes removed)
    /// and otherwise kept as written. RFC 2231 parameters (`name*=`, `name*0=`,
    /// `name*1*=` …) are reassembled, percent-decoded and converted from their declared
    /// charset; they take precedence over a plain parameter of the same name. When a
    /// plain name repeats, the first occurrence wins. Comments are removed from the
    /// leading value only: unquoted parentheses in file names are too common to treat
    /// them as comments there.
    public static func parse(_ headerValue: String) -> (value: String, parameters: [String: String]) {
        let bytes = Array(headerValue.utf8)
        let segments = splitOnSemicolons(bytes)
        guard let first = segments.first else { return ("", [:]) }
        let value = String(decoding: trim(removeComments(bytes[first])), as: UTF8.self)

        var plain: [String: String] = [:]
        var extended = RFC2231Assembler()
        for segment in segments.dropFirst() {
            guard let eq = bytes[segment].firstIndex(of: ASCII.equals) else { continue }
            let name = String(decoding: trim(bytes[segment.lowerBound..<eq]), as: UTF8.self).asciiLowercased()
            if name.isEmpty { continue }
            let rawValue = unquote(trim(bytes[(eq + 1)..<segment.upperBound]))
            if extended.add(name: name, value: rawValue) { continue }
            if plain[name] == nil { plain[name] = String(decoding: rawValue, as: UTF8.self) }
        }
        for (name, value) in extended.assemble() { plain[name] = value }
        return (value, plain)
    }

    /// Ranges between `;` separators that are not inside a quoted string.
    static func splitOnSemicolons(_ bytes: [UInt8]) -> [Range<Int>] {
        var segments: [Range<Int>] = []
        var start = 0
        var inQuotes = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes && b == ASCII.backslash {
                i += 2
                continue
            }
            if b == ASCII.quote {
                inQuotes.toggle()
            } else if b == ASCII.semicolon && !inQuotes {
                segments.append(start..<i)
                start = i + 1
            }
            i += 1
        }
        segments.append(start..<bytes.count)
        return segments
    }

    static func trim(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = s.startIndex
        var hi = s.endIndex
        while lo < hi && ASCII.isWhitespace(s[lo]) { lo += 1 }
        while hi > lo && ASCII.isWhitespace(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }

    /// Drops RFC 5322 comments (nested, with quoted-pairs) outside quoted strings.
    static func removeComments(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard s.contains(ASCII.openParen) else { return s }
        var out: [UInt8] = []
        var depth = 0
        var inQuotes = false
        var i = s.startIndex
        while i < s.endIndex {
            let b = s[i]
            if b == ASCII.backslash && (depth > 0 || inQuotes) {
                if depth == 0 { out.append(b); if i + 1 < s.endIndex { out.append(s[i + 1]) } }
                i += 2
                continue
            }
            if depth > 0 {
                if b == ASCII.openParen { depth += 1 } else if b == ASCII.closeParen { depth -= 1 }
            } else if b == ASCII.quote {
                inQuotes.toggle()
                out.append(b)
            } else if b == ASCII.openParen && !inQuotes {
                depth = 1
            } else {
                out.append(b)
            }
            i += 1
        }
        return out[...]
    }

    /// Removes surrounding quotes and backslash escapes; an unterminated quoted string
    /// runs to the end, and anything after the closing quote is ignored.
    static func unquote(_ s: ArraySlice<UInt8>) -> [UInt8] {
        guard s.first == ASCII.quote else { return Array(s) }
        var out: [UInt8] = []
        var i = s.startIndex + 1
        while i < s.endIndex {
            let b = s[i]
            if b == ASCII.backslash && i + 1 < s.endIndex {
                out.append(s[i + 1])
                i += 2
                continue
            }
            if b == ASCII.quote { break }
            out.append(b)
            i += 1
        }
        return out
    }
}
