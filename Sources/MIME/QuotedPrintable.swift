/// Quoted-printable content transfer encoding (RFC 2045 §6.7).
public enum QuotedPrintable {
    /// Decodes quoted-printable body text, never failing.
    ///
    /// - `=XX` (either case of hex) is a byte; an `=` not followed by two hex digits is
    ///   kept literally, as RFC 2045 §6.7 note (2) recommends.
    /// - `=` at the end of a line (optionally followed by transport-added whitespace) is
    ///   a soft line break and disappears together with the line ending.
    /// - Trailing spaces and tabs on a line are removed (rule 3: they were added in transit).
    /// - Line endings (CRLF or LF) are otherwise kept as they are.
    public static func decode<C: Collection>(_ input: C) -> [UInt8] where C.Element == UInt8 {
        let bytes = Array(input)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == ASCII.equals {
                if i + 2 < n, let hi = ASCII.hexValue(bytes[i + 1]), let lo = ASCII.hexValue(bytes[i + 2]) {
                    out.append(hi << 4 | lo)
                    i += 3
                    continue
                }
                // Soft break: "=" then optional WSP then (CR)LF or end of input.
                var j = i + 1
                while j < n && ASCII.isWSP(bytes[j]) { j += 1 }
                if j == n {
                    i = n
                    continue
                }
                if bytes[j] == ASCII.lf {
                    i = j + 1
                    continue
                }
                if bytes[j] == ASCII.cr && j + 1 < n && bytes[j + 1] == ASCII.lf {
                    i = j + 2
                    continue
                }
                out.append(b)
                i += 1
                continue
            }
            if ASCII.isWSP(b) {
                // Drop a whitespace run that ends the line (or the input).
                var j = i
                while j < n && ASCII.isWSP(bytes[j]) { j += 1 }
                let endsLine = j == n || bytes[j] == ASCII.lf || (bytes[j] == ASCII.cr && j + 1 < n && bytes[j + 1] == ASCII.lf)
                if !endsLine { out.append(contentsOf: bytes[i..<j]) }
                i = j
                continue
            }
            out.append(b)
            i += 1
        }
        return out
    }
}
