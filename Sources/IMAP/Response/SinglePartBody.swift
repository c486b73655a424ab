/// A leaf part: `body-type-basic / body-type-msg / body-type-text [SP body-ext-1part]`.
public struct SinglePartBody: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case basic
        /// `text/*`: with its line count.
        case text(lines: UInt64)
        /// `message/rfc822` (and `message/global`): the enclosed message.
        case message(Envelope, BodyStructure, lines: UInt64)
    }

    public var type: String
    public var subtype: String
    public var fields: BodyFields
    public var kind: Kind
    /// `body-ext-1part`: only in BODYSTRUCTURE; nil leaves it out.
    public var extensionData: SinglePartExtension?

    public init(type: String, subtype: String, fields: BodyFields, kind: Kind, extensionData: SinglePartExtension? = nil) {
        self.type = type
        self.subtype = subtype
        self.fields = fields
        self.kind = kind
        self.extensionData = extensionData
    }
}
