/// A parsed Internet message (RFC 5322 with MIME, RFC 2045–2049).
///
/// Parsing never fails, never throws and never rewrites the message: every part refers
/// to ranges of ``bytes``. Problems are reported in ``defects``.
public struct MIMEMessage: Sendable {
    /// The message exactly as given.
    public let bytes: [UInt8]
    /// Whether the input started with an mbox `From ` separator line, which was skipped.
    public let hasMboxFromLine: Bool
    /// The root part; its ``MIMEPart/headers`` are the message header.
    public let root: MIMEPart
    /// Non-container parts in depth-first order, including those inside embedded
    /// messages and containers that could not be opened (limits, missing boundary).
    public let leaves: [MIMEPart]
    /// Structural problems met while parsing, in order (capped at 1000 entries).
    public let defects: [MIMEDefect]

    /// Parses `bytes`. Linear in the message size per nesting level; bounded by `limits`.
    public static func parse(_ bytes: [UInt8], limits: MIMELimits = .default) -> MIMEMessage {
        // mbox separator ("From sender date"), as in the SpamAssassin corpus; not a header.
        let mboxPrefix: [UInt8] = Array("From ".utf8)
        var start = 0
        let hasFromLine = bytes.hasBytes(mboxPrefix, at: 0, end: bytes.count)
        if hasFromLine { start = bytes.line(from: 0, end: bytes.count).next }

        var parser = MessageParser(bytes: bytes, limits: limits)
        let root = parser.parsePart(start..<bytes.count, depth: 0, defaultType: .plainText)
        return MIMEMessage(bytes: bytes, hasMboxFromLine: hasFromLine, root: root,
                           leaves: Self.collectLeaves(root), defects: parser.defects.defects)
    }

    /// The message header.
    public var header: HeaderBlock { root.headers }

    /// The first `Subject`, RFC 2047-decoded.
    public var subject: String? { header.first("Subject")?.decodedValue }
    /// The first `Message-ID` as written (angle brackets kept), unfolded and trimmed.
    public var messageID: String? { header.first("Message-ID")?.unfoldedValue }
    /// The first `From`, RFC 2047-decoded (display name and address, not split).
    public var from: String? { header.first("From")?.decodedValue }

    /// Every part, depth-first, parents before children.
    public var allParts: [MIMEPart] {
        var result: [MIMEPart] = []
        var stack = [root]
        while let part = stack.popLast() {
            result.append(part)
            stack.append(contentsOf: part.children.reversed())
        }
        return result
    }

    private static func collectLeaves(_ root: MIMEPart) -> [MIMEPart] {
        var result: [MIMEPart] = []
        var stack = [root]
        while let part = stack.popLast() {
            if part.children.isEmpty {
                result.append(part)
            } else {
                stack.append(contentsOf: part.children.reversed())
            }
        }
        return result
    }
}
