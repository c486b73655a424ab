import IMAP
import Mailstore

/// One message's value for one SORT criterion (RFC 5256 §3, RFC 5957): numbers compare
/// numerically, strings by their `i;unicode-casemap` folded bytes.
enum SortValue: Comparable {
    case number(Double)
    case text([UInt8])

    static func < (a: SortValue, b: SortValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): x < y
        case (.text(let x), .text(let y)): x.lexicographicallyPrecedes(y)
        case (.number, .text): true
        case (.text, .number): false
        }
    }

    /// The value of `key` for `message`; `content` is read only for keys that need it.
    static func of(_ key: SortCriterion.Key, _ message: IndexedMessage, content: () throws(SearchError) -> MessageContent)
        throws(SearchError) -> SortValue
    {
        switch key {
        case .arrival: return .number(message.internalDate)
        case .size: return .number(Double(message.size))
        case .date: return .number(sentInstant(message, try content()))
        case .subject: return .text(UnicodeCaseMap.fold(try content().baseSubject.text))
        case .from, .displayFrom:
            return .text(UnicodeCaseMap.fold(address(try content().addresses("From").first, display: key == .displayFrom)))
        case .to, .displayTo:
            return .text(UnicodeCaseMap.fold(address(try content().addresses("To").first, display: key == .displayTo)))
        case .cc: return .text(UnicodeCaseMap.fold(address(try content().addresses("Cc").first, display: false)))
        }
    }

    /// RFC 5256's addr-mailbox or RFC 5957's display text of the first address; a missing
    /// address sorts as the empty string.
    private static func address(_ first: AddressListItem?, display: Bool) -> String {
        (display ? first?.displayText : first?.sortMailbox) ?? ""
    }

    /// The sent date in UTC seconds, or the internal date when there is no readable Date:
    /// header (RFC 5256 §3, DATE): what SORT DATE and THREAD order by.
    static func sentInstant(_ message: IndexedMessage, _ content: MessageContent) -> Double {
        content.sentDate.map { Double($0.instant) } ?? message.internalDate
    }
}
