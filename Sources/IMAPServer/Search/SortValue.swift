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

    /// Whether the criterion needs the message file (all but ARRIVAL and SIZE do).
    static func needsContent(_ key: SortCriterion.Key) -> Bool { key != .arrival && key != .size }

    /// The value of `key` for `message`; `content` is read only for keys that need it.
    static func of(_ key: SortCriterion.Key, _ message: IndexedMessage, content: () throws(SearchError) -> MessageContent)
        throws(SearchError) -> SortValue
    {
        switch key {
        case .arrival: return .number(message.internalDate)
        case .size: return .number(Double(message.size))
        case .date: return .number(sentInstant(message, try content()))
        case .subject: return .text(UnicodeCaseMap.fold(try content().baseSubject.text))
        case .from: return .text(UnicodeCaseMap.fold(try content().addresses("From").first?.sortMailbox ?? ""))
        case .to: return .text(UnicodeCaseMap.fold(try content().addresses("To").first?.sortMailbox ?? ""))
        case .cc: return .text(UnicodeCaseMap.fold(try content().addresses("Cc").first?.sortMailbox ?? ""))
        case .displayFrom: return .text(UnicodeCaseMap.fold(try content().addresses("From").first?.displayText ?? ""))
        case .displayTo: return .text(UnicodeCaseMap.fold(try content().addresses("To").first?.displayText ?? ""))
        }
    }

    /// The sent date in UTC seconds, or the internal date when there is no readable Date:
    /// header (RFC 5256 §3, DATE): what SORT DATE and THREAD order by.
    static func sentInstant(_ message: IndexedMessage, _ content: MessageContent) -> Double {
        content.sentDate.map { Double($0.instant) } ?? message.internalDate
    }
}
