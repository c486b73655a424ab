import Foundation

/// The `i;unicode-casemap` collation (RFC 5051) that IMAP SEARCH, SORT and THREAD compare
/// strings with, as Dovecot implements it (`uni_utf8_to_decomposed_titlecase`): every
/// character is mapped to its title case, then the text is decomposed (NFKD), so `ÉTÉ`,
/// `été` and `e\u{301}te\u{301}` all fold to the same bytes.
enum UnicodeCaseMap {
    /// The folded form of `text` as UTF-8: substring search is a byte search on these,
    /// ordering a byte comparison (RFC 5051 §2.3 compares the folded octets).
    static func fold(_ text: String) -> [UInt8] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return foldASCII(text.utf8) }
        var titled = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let mapped = scalar.properties.titlecaseMapping.unicodeScalars
            if mapped.count == 1 {
                titled.append(contentsOf: mapped)
            } else {
                // Full mappings can yield mixed case (ß → "Ss"); fold each piece again so
                // "ß", "SS" and "ss" agree, as Dovecot's one-character mapping does.
                for piece in mapped { titled.append(contentsOf: piece.properties.titlecaseMapping.unicodeScalars) }
            }
        }
        return Array(String(titled).decomposedStringWithCompatibilityMapping.utf8)
    }

    /// ASCII only: title case is upper case and NFKD changes nothing, so skip Foundation.
    private static func foldASCII(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        bytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
    }
}
