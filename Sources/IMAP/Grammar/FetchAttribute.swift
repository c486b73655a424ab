/// `fetch-att` (RFC 9051 §6.4.5, RFC 3501, RFC 3516 BINARY, RFC 7162 MODSEQ).
public enum FetchAttribute: Hashable, Sendable {
    case envelope
    case flags
    case internalDate
    case rfc822
    case rfc822Header
    case rfc822Text
    case rfc822Size
    /// `BODY` (non-extensible BODYSTRUCTURE).
    case body
    case bodyStructure
    case uid
    /// `BODY[section]<partial>` or, with `peek`, `BODY.PEEK[…]`.
    case bodySection(SectionSpecifier, partial: Partial?, peek: Bool)
    /// `BINARY[part]<partial>` / `BINARY.PEEK[…]`.
    case binary(part: [Int], partial: Partial?, peek: Bool)
    case binarySize(part: [Int])
    case modSeq

    /// `ALL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`.
    public static let allMacro: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope]
    /// `FAST` = `(FLAGS INTERNALDATE RFC822.SIZE)`.
    public static let fastMacro: [FetchAttribute] = [.flags, .internalDate, .rfc822Size]
    /// `FULL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`.
    public static let fullMacro: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope, .body]
}
