import IMAP
import Mailstore

/// Mailbox names between the wire and the store: on the wire modified UTF-7 (RFC 3501
/// §5.1.3), or UTF-8 once the client enabled UTF8=ACCEPT (RFC 6855); in the store, UTF-8.
enum WireMailboxName {
    /// The store's name for what the client sent; nil when it is not valid modified UTF-7.
    static func storeName(_ name: MailboxName, utf8: Bool) -> String? {
        if name.isInbox { return "INBOX" }
        let text = String(decoding: name.bytes, as: UTF8.self)
        if utf8 { return text }
        guard name.bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        return ModifiedUTF7.decode(text)
    }

    /// What the client is shown for a store name.
    static func wire(_ name: String, utf8: Bool) -> MailboxName {
        MailboxName(utf8 ? name : ModifiedUTF7.encode(name))
    }
}
