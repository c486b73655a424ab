/// A mailbox name as the client sent it (`mailbox = "INBOX" / astring`, RFC 9051 §9).
/// Any case of `INBOX` is INBOX; other names are kept as bytes, because modified UTF-7
/// (RFC 3501 §5.1.3) or UTF-8 (RFC 9051, UTF8=ACCEPT) is the server's concern.
public struct MailboxName: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public static let inbox = MailboxName(Array("INBOX".utf8))

    public init(_ bytes: [UInt8]) {
        self.bytes = MailboxName.isInbox(bytes) ? Array("INBOX".utf8) : bytes
    }

    public init(_ string: String) { self.init(Array(string.utf8)) }

    public var isInbox: Bool { bytes == MailboxName.inbox.bytes }

    public var description: String { String(decoding: bytes, as: UTF8.self) }

    private static func isInbox(_ bytes: [UInt8]) -> Bool {
        bytes.count == 5 && bytes.map { $0 & 0xDF } == Array("INBOX".utf8)
    }
}
