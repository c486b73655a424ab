/// `section-spec` (RFC 9051 §9): a part path (`1.2.3`, empty for the whole message) and
/// what of it.
public struct SectionSpecifier: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// `BODY[]` or `BODY[1.2]`: the whole part.
        case complete
        case header
        /// `HEADER.FIELDS (…)`, field names as sent.
        case headerFields([[UInt8]])
        case headerFieldsNot([[UInt8]])
        case text
        /// Only after a part number.
        case mime
    }

    public var part: [Int]
    public var kind: Kind

    public init(part: [Int] = [], kind: Kind = .complete) {
        self.part = part
        self.kind = kind
    }
}
