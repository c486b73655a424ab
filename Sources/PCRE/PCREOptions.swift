import CPCRE2

/// Compile options, a typed subset of PCRE2's `PCRE2_*` compile flags.
///
/// Inline flags in the pattern (`(?i)`, `(?s)`, `(?m)`, `(?x)`) work as in Perl too; these
/// exist for callers that carry flags outside the pattern, such as SpamAssassin's `/…/i`.
public struct PCREOptions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `i`: case-insensitive (ASCII only unless `.utf` is also set).
    public static let caseless = PCREOptions(rawValue: PCRE2_CASELESS)
    /// `m`: `^` and `$` match at internal newlines.
    public static let multiline = PCREOptions(rawValue: PCRE2_MULTILINE)
    /// `s`: `.` also matches newline.
    public static let dotAll = PCREOptions(rawValue: PCRE2_DOTALL)
    /// `x`: whitespace and `#` comments in the pattern are ignored.
    public static let extended = PCREOptions(rawValue: PCRE2_EXTENDED)
    /// Match only at the start offset.
    public static let anchored = PCREOptions(rawValue: PCRE2_ANCHORED)
    /// `$` matches only at the very end, not before a final newline.
    public static let dollarEndOnly = PCREOptions(rawValue: PCRE2_DOLLAR_ENDONLY)
    /// Quantifiers are lazy by default (`U`).
    public static let ungreedy = PCREOptions(rawValue: PCRE2_UNGREEDY)
    /// Treat pattern and subject as UTF-8 code points rather than bytes.
    ///
    /// Also sets `PCRE2_MATCH_INVALID_UTF`, because mail is routinely not valid UTF-8 and a
    /// scanner must keep matching the valid parts instead of failing the whole subject.
    public static let utf = PCREOptions(rawValue: PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)
    /// With `.utf`: `\d`, `\w`, `\s` and POSIX classes use Unicode properties.
    public static let unicodeProperties = PCREOptions(rawValue: PCRE2_UCP)
}
