import IMAP
import Mailstore

/// A `SearchKey` prepared once per command: needles case folded, dates turned into day
/// numbers, sets resolved against `*`, and AND/OR operands ordered so keys the index
/// answers run before keys that open the message file.
indirect enum CompiledSearchKey {
    enum DateTest { case before, on, since }

    case constant(Bool)
    case flag(MessageFlags, isSet: Bool)
    /// Keyword names compare case-insensitively, as Dovecot's keyword lookup does.
    case keyword(String, isSet: Bool)
    case sequenceNumbers([ClosedRange<UInt32>])
    case uids([ClosedRange<UInt32>])
    case savedUIDs(Set<MessageUID>)
    /// The internal date's day in the server's zone against a day number.
    case internalDay(DateTest, day: Int64)
    /// The Date: header's day as written against a day number.
    case sentDay(DateTest, day: Int64)
    case internalDateAtOrBefore(Double), internalDateAtOrAfter(Double)
    case larger(UInt64), smaller(UInt64)
    case modSeqAtLeast(ModSeq)
    /// Needle empty: the message has such a field.
    case address(field: String, needle: [UInt8])
    case header(field: String, needle: [UInt8])
    case body([UInt8])
    case text([UInt8])
    case not(CompiledSearchKey)
    case or(CompiledSearchKey, CompiledSearchKey)
    case and([CompiledSearchKey])

    /// Whether evaluating the key may need the message file.
    var needsContent: Bool {
        switch self {
        case .address, .header, .body, .text, .sentDay: true
        case .not(let key): key.needsContent
        case .or(let a, let b): a.needsContent || b.needsContent
        case .and(let keys): keys.contains { $0.needsContent }
        default: false
        }
    }

    /// Whether the key has a MODSEQ criterion, so results carry a MODSEQ (RFC 7162 §3.1.5).
    var usesModSeq: Bool {
        switch self {
        case .modSeqAtLeast: true
        case .not(let key): key.usesModSeq
        case .or(let a, let b): a.usesModSeq || b.usesModSeq
        case .and(let keys): keys.contains { $0.usesModSeq }
        default: false
        }
    }

    init(_ key: SearchKey, context: SearchContext) {
        switch key {
        case .all: self = .constant(true)
        case .answered: self = .flag(.answered, isSet: true)
        case .deleted: self = .flag(.deleted, isSet: true)
        case .draft: self = .flag(.draft, isSet: true)
        case .flagged: self = .flag(.flagged, isSet: true)
        case .seen: self = .flag(.seen, isSet: true)
        case .unanswered: self = .flag(.answered, isSet: false)
        case .undeleted: self = .flag(.deleted, isSet: false)
        case .undraft: self = .flag(.draft, isSet: false)
        case .unflagged: self = .flag(.flagged, isSet: false)
        case .unseen: self = .flag(.seen, isSet: false)
        // \Recent is never set (Moat's store keeps none, as IMAP4rev2 dropped it): NEW is
        // \Recent is the session's (RFC 3501 §6.4.4): NEW is RECENT UNSEEN, OLD is NOT RECENT.
        case .recent: self = .savedUIDs(context.recent)
        case .new: self = .and([.savedUIDs(context.recent), .flag(.seen, isSet: false)])
        case .old: self = .not(.savedUIDs(context.recent))
        case .keyword(let name): self = .keyword(name.lowercased(), isSet: true)
        case .unkeyword(let name): self = .keyword(name.lowercased(), isSet: false)
        case .bcc(let value): self = .address(field: "Bcc", needle: Self.fold(value))
        case .cc(let value): self = .address(field: "Cc", needle: Self.fold(value))
        case .from(let value): self = .address(field: "From", needle: Self.fold(value))
        case .to(let value): self = .address(field: "To", needle: Self.fold(value))
        case .subject(let value): self = .header(field: "Subject", needle: Self.fold(value))
        case .header(let field, let value): self = .header(field: String(decoding: field, as: UTF8.self), needle: Self.fold(value))
        case .body(let value): self = .body(Self.fold(value))
        case .text(let value): self = .text(Self.fold(value))
        case .before(let date): self = .internalDay(.before, day: Self.day(date))
        case .on(let date): self = .internalDay(.on, day: Self.day(date))
        case .since(let date): self = .internalDay(.since, day: Self.day(date))
        case .sentBefore(let date): self = .sentDay(.before, day: Self.day(date))
        case .sentOn(let date): self = .sentDay(.on, day: Self.day(date))
        case .sentSince(let date): self = .sentDay(.since, day: Self.day(date))
        // RFC 5032, as Dovecot turns them into time comparisons against the clock.
        case .older(let seconds): self = .internalDateAtOrBefore(context.now - Double(seconds))
        case .younger(let seconds): self = .internalDateAtOrAfter(context.now - Double(seconds))
        case .larger(let size): self = .larger(size)
        case .smaller(let size): self = .smaller(size)
        // Per-flag modification sequences are not kept: an entry name (`/flags/\seen`) is
        // answered with the message's own MODSEQ, which is never lower (RFC 7162 §3.1.5
        // allows this), as Dovecot does.
        case .modSeq(_, let value): self = .modSeqAtLeast(value)
        case .sequenceSet(.savedResult), .uid(.savedResult): self = .savedUIDs(context.savedResult)
        case .sequenceSet(.ranges(let ranges)): self = .sequenceNumbers(ranges.map { $0.resolved(largest: context.largestSequence) })
        case .uid(.ranges(let ranges)): self = .uids(ranges.map { $0.resolved(largest: context.largestUID) })
        case .not(let key): self = .not(CompiledSearchKey(key, context: context))
        case .or(let a, let b):
            let (first, second) = (CompiledSearchKey(a, context: context), CompiledSearchKey(b, context: context))
            self = first.needsContent && !second.needsContent ? .or(second, first) : .or(first, second)
        case .and(let keys):
            let compiled = keys.map { CompiledSearchKey($0, context: context) }
            self = .and(compiled.filter { !$0.needsContent } + compiled.filter(\.needsContent))
        }
    }

    private static func fold(_ value: [UInt8]) -> [UInt8] { UnicodeCaseMap.fold(String(decoding: value, as: UTF8.self)) }

    private static func day(_ date: IMAPDate) -> Int64 { CivilDate.daysSinceEpoch(year: date.year, month: date.month, day: date.day) }
}
