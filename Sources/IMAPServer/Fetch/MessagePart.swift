/// One node of a message's MIME structure as IMAP (and Dovecot) sees it: byte ranges in
/// the message, the header fields, and what the parser decided the part is.
struct MessagePart {
    struct Kind: OptionSet {
        let rawValue: UInt8
        /// A multipart (with a boundary it found at the end of its header, or none).
        static let multipart = Kind(rawValue: 1)
        static let digest = Kind(rawValue: 2)
        /// A message/rfc822 part; its one child is the enclosed message.
        static let message = Kind(rawValue: 4)
        static let text = Kind(rawValue: 8)
        /// MIME header fields count: a multipart's child, or a header with MIME-Version or
        /// Content-Type.
        static let mime = Kind(rawValue: 16)
    }

    let start: Int
    var headerEnd: Int
    var end: Int
    var fields: [HeaderLine] = []
    var kind: Kind
    var children: [Int] = []
    let parent: Int?
    let depth: Int

    var headerRange: Range<Int> { start..<headerEnd }
    var bodyRange: Range<Int> { headerEnd..<max(headerEnd, end) }
    var isMultipart: Bool { kind.contains(.multipart) }
    var isMessage: Bool { kind.contains(.message) }
}
