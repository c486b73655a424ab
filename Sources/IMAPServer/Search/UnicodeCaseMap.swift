import Foundation

/// The `i;unicode-casemap` collation (RFC 5051) that IMAP SEARCH, SORT and THREAD compare
/// strings with, as Dovecot implements it (`uni_utf8_to_decomposed_titlecase`): every
/// character is mapped to its title case and decomposed (NFKD), so `ÉTÉ`, `été` and
/// `e\u{301}te\u{301}` fold to the same bytes, and `ﬁ` to `FI`.
enum UnicodeCaseMap {
    /// The folded form of `text` as UTF-8: substring search is a byte search on these,
    /// ordering a byte comparison (RFC 5051 §2.3 compares the folded octets).
    static func fold(_ text: String) -> [UInt8] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.map(upperASCII) }
        let titled = String(String.UnicodeScalarView(text.unicodeScalars.map(simpleTitlecase)))
        // Decomposition can yield lower-case letters (`ﬁ` → `fi`): title-case those too.
        return Array(String(String.UnicodeScalarView(
            titled.decomposedStringWithCompatibilityMapping.unicodeScalars.map(simpleTitlecase))).utf8)
    }

    /// The one-character title case (UnicodeData's Simple_Titlecase_Mapping, which Dovecot
    /// uses): a character whose title case is several (`ß` → `Ss`) stays as it is.
    private static func simpleTitlecase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.value < 0x80 { return Unicode.Scalar(upperASCII(UInt8(scalar.value))) }
        let mapped = scalar.properties.titlecaseMapping.unicodeScalars
        return mapped.count == 1 ? mapped.first! : scalar
    }

    private static func upperASCII(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte }
}
