/// Something wrong with a message's structure that the parser tolerated.
///
/// Defects never stop a parse; they exist so policy code (spam rules, "unchecked"
/// verdicts) can react to malformed or evasive structure.
public enum MIMEDefect: Sendable, Hashable {
    /// A `multipart/*` part has no usable `boundary` parameter; it is kept as a leaf.
    case missingBoundary
    /// A boundary was declared but no delimiter line for it appears; kept as a leaf.
    case boundaryNotFound
    /// A multipart body ends without its close delimiter `--boundary--`.
    case unterminatedMultipart
    /// A container nested deeper than ``MIMELimits/maxDepth`` was kept as a leaf.
    case depthLimit
    /// ``MIMELimits/maxParts`` was reached; later parts are not in the tree.
    case partLimit
    /// A header block exceeded ``MIMELimits/maxHeaderBytes``; the rest is treated as body.
    case headerLimit
    /// A header line that is neither `name: value` nor a continuation; it was skipped.
    case badHeaderLine
    /// The header block has no empty line after it; the body is empty.
    case missingBlankLine
    /// A `Content-Type` value that does not parse; the default type was used.
    case invalidContentType
    /// A `message/rfc822` part with a base64 or quoted-printable transfer encoding
    /// (forbidden by RFC 2046 §5.2.1); it is kept as a leaf, not parsed as a message.
    case encodedEmbeddedMessage
}
