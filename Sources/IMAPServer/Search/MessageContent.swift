import Foundation
import MIME
import Mailstore

/// What the content-based keys (BODY, TEXT, header keys, SENT*, SORT and THREAD keys) read
/// from one message, parsed once per command and derived lazily: a search for FROM never
/// decodes a body, a SORT SIZE never comes here.
final class MessageContent {
    let message: MIMEMessage

    init(bytes: [UInt8]) { message = MIMEMessage.parse(bytes) }

    /// Every field named `name` (any case), unfolded and RFC 2047-decoded, in message order,
    /// tabs made spaces as Dovecot's one-line header cleaning does (`a,\n\t<b>` is `a, <b>`).
    func decodedValues(_ name: String) -> [String] {
        message.header.all(name).map { $0.searchValue.replacingOccurrences(of: "\t", with: " ") }
    }

    func hasField(_ name: String) -> Bool { message.header.first(name) != nil }

    /// The entries of every `name` field (From, To…) in order.
    func addresses(_ name: String) -> [AddressListItem] { message.header.all(name).flatMap(Self.addresses(in:)) }

    /// Each `name` field's address list as SEARCH matches it (see ``AddressListItem/searchText(_:)``).
    func addressSearchTexts(_ name: String) -> [String] {
        message.header.all(name).map { AddressListItem.searchText(Self.addresses(in: $0)) }
    }

    private static func addresses(in field: HeaderField) -> [AddressListItem] { AddressListItem.parse(field.rawValue) }

    /// The first `Date:` field, parsed; nil when there is none or it cannot be read.
    private(set) lazy var sentDate: SentDate? = message.header.first("Date").flatMap { SentDate.parse($0.unfoldedUTF8) }

    /// The first Subject's base subject (RFC 5256 §2.1); a missing Subject is empty.
    private(set) lazy var baseSubject = BaseSubject(message.header.first("Subject")?.searchValue ?? "")

    /// Every text part's decoded text (transfer encoding removed, charset converted to UTF-8),
    /// case folded: what BODY matches and TEXT matches after the header.
    private(set) lazy var foldedBody: [UInt8] = {
        var text: [UInt8] = []
        for part in message.leaves {
            guard let partText = part.text() else { continue }
            if !text.isEmpty { text.append(UInt8(ascii: "\n")) }
            text.append(contentsOf: UnicodeCaseMap.fold(partText))
        }
        return text
    }()

    /// Every header in the message as `Name: decoded value` lines, case folded: the top
    /// header, each MIME part's and each attached message's, as Dovecot's TEXT searches them
    /// (checked with `doveadm search`).
    private(set) lazy var foldedHeaders: [UInt8] = {
        var text = ""
        for part in message.allParts {
            for field in part.headers.fields { text += field.name + ": " + field.searchValue + "\n" }
        }
        return UnicodeCaseMap.fold(text)
    }()
}

/// Reads and parses messages for one command. Commands go message by message (search
/// keys, then sort or thread keys of the same message), so only the last message is kept:
/// each is parsed once and a SORT over 10,000 messages holds one in memory, not all.
final class MessageContentReader {
    private let read: (MessageUID) throws -> [UInt8]
    private var last: (uid: MessageUID, content: MessageContent)?

    /// `read` is the mailbox's `message(uid:)`.
    init(read: @escaping (MessageUID) throws -> [UInt8]) { self.read = read }

    func content(of uid: MessageUID) throws(SearchError) -> MessageContent {
        if let last, last.uid == uid { return last.content }
        let bytes: [UInt8]
        do {
            bytes = try read(uid)
        } catch {
            throw .messageUnreadable(uid: uid, reason: String(describing: error))
        }
        let content = MessageContent(bytes: bytes)
        last = (uid, content)
        return content
    }
}
