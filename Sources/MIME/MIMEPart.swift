/// One node of a message's MIME tree: a body part, a multipart container, or an
/// embedded message.
///
/// Parts never copy message bytes: ranges index into the original message, and `source`
/// shares its storage.
public struct MIMEPart: Sendable {
    /// The part's header (for the root, the message header).
    public let headers: HeaderBlock
    /// Declared or defaulted content type (RFC 2045 §5.2; `message/rfc822` in digests).
    public let contentType: ContentType
    /// Parsed `Content-Disposition`, if present.
    public let contentDisposition: ContentDisposition?
    /// Declared attachment file name: `Content-Disposition` `filename`, else
    /// `Content-Type` `name`; RFC 2231 and RFC 2047 decoded. Nil when absent or empty.
    public let filename: String?
    /// `Content-Transfer-Encoding`, lowercased; `"7bit"` when absent (RFC 2045 §6.1).
    public let transferEncoding: String
    /// The whole part, header included, in the original message bytes.
    public let range: Range<Int>
    /// The body in the original message bytes (still transfer-encoded).
    public let bodyRange: Range<Int>
    /// Body parts of a multipart, or the single root part of an embedded message.
    public let children: [MIMEPart]
    /// Nesting level: the message root is 0, its children 1, and so on.
    public let depth: Int
    /// The whole message, shared (not copied) so the part can decode itself.
    let source: [UInt8]

    init(headers: HeaderBlock, contentType: ContentType, contentDisposition: ContentDisposition?,
         transferEncoding: String, range: Range<Int>, bodyRange: Range<Int>,
         children: [MIMEPart], depth: Int, source: [UInt8]) {
        self.headers = headers
        self.contentType = contentType
        self.contentDisposition = contentDisposition
        self.transferEncoding = transferEncoding
        self.range = range
        self.bodyRange = bodyRange
        self.children = children
        self.depth = depth
        self.source = source
        let candidates = [contentDisposition?.parameters["filename"], contentType.parameters["name"]]
        self.filename = candidates.lazy.compactMap { $0 }
            .map { RFC2047.decode($0).trimmingMailWhitespace() }
            .first { !$0.isEmpty }
    }

    /// Disposition type, lowercased (`"attachment"`, `"inline"`), nil when absent or empty.
    public var disposition: String? {
        guard let value = contentDisposition?.value, !value.isEmpty else { return nil }
        return value
    }

    /// Whether this part is a multipart that was split into ``children``. A multipart
    /// that could not be split (no boundary, depth limit) is a leaf and returns false.
    public var isMultipart: Bool { contentType.isMultipart && !children.isEmpty }

    /// Whether this part is a `message/rfc822` (or `message/global`) parsed as an
    /// embedded message; its root part is ``embeddedMessage``.
    public var isEmbeddedMessage: Bool { contentType.isEmbeddedMessage && !children.isEmpty }

    /// The root part of the embedded message, when ``isEmbeddedMessage``.
    public var embeddedMessage: MIMEPart? { isEmbeddedMessage ? children.first : nil }

    /// Whether the part has no children (what scanners look at).
    public var isLeaf: Bool { children.isEmpty }

    /// The raw (transfer-encoded) body bytes.
    public var body: ArraySlice<UInt8> { source[bodyRange] }

    /// The body with its transfer encoding removed: base64 and quoted-printable are
    /// decoded leniently; 7bit, 8bit, binary and unknown encodings return the raw bytes.
    public func decodedBody() -> [UInt8] {
        switch transferEncoding {
        case "base64": return Base64Codec.decode(body)
        case "quoted-printable": return QuotedPrintable.decode(body)
        default: return Array(body)
        }
    }

    /// For `text/*` parts, the decoded body converted from its declared charset
    /// (see ``Charset/decode(_:charset:)``); nil for other types.
    public func text() -> String? {
        guard contentType.type == "text" else { return nil }
        return Charset.decode(decodedBody(), charset: contentType.charset)
    }
}
