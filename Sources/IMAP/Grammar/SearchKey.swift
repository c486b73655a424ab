/// `search-key` of RFC 3501 §6.4.4 and RFC 9051 §6.4.4, with RFC 7162 MODSEQ. A list of keys
/// (`(a b)` or the top-level key sequence) is `.and`.
public indirect enum SearchKey: Hashable, Sendable {
    case all
    case answered, deleted, draft, flagged, seen
    case unanswered, undeleted, undraft, unflagged, unseen
    /// RFC 3501 only (no longer in RFC 9051, still parsed).
    case new, old, recent
    case keyword(String)
    case unkeyword(String)
    case bcc([UInt8]), cc([UInt8]), from([UInt8]), to([UInt8])
    case subject([UInt8]), body([UInt8]), text([UInt8])
    case header(field: [UInt8], value: [UInt8])
    case before(IMAPDate), on(IMAPDate), since(IMAPDate)
    case sentBefore(IMAPDate), sentOn(IMAPDate), sentSince(IMAPDate)
    case larger(UInt64), smaller(UInt64)
    case uid(SequenceSet)
    case sequenceSet(SequenceSet)
    case not(SearchKey)
    case or(SearchKey, SearchKey)
    case and([SearchKey])
    /// RFC 7162: `MODSEQ [entry-name entry-type] mod-sequence-valzer`.
    case modSeq(ModSeqEntry?, UInt64)
    /// RFC 5032 WITHIN: `OLDER`/`YOUNGER` seconds.
    case older(UInt32), younger(UInt32)
}
