import IMAP
import Mailstore

/// Mailbox names between the wire and the store: modified UTF-7 on the wire (RFC 3501
/// §5.1.3; UTF8=ACCEPT is not offered), UTF-8 in the store.
enum WireMailboxName {
    /// The store's name for what the client sent; nil when it is not valid modified UTF-7.
    static func storeName(_ name: MailboxName) -> String? {
        if name.isInbox { return "INBOX" }
        guard name.bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        return ModifiedUTF7.decode(String(decoding: name.bytes, as: UTF8.self))
    }

    /// What the client is shown for a store name.
    static func wire(_ name: String) -> MailboxName {
        MailboxName(ModifiedUTF7.encode(name))
    }
}
