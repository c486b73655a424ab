/// `response-data = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data /
/// capability-data / enable-data) CRLF`, with the extensions' data.
public enum UntaggedResponse: Hashable, Sendable {
    /// `* OK/NO/BAD [code] text`
    case condition(TaggedResponse.Status, ResponseText)
    /// `* BYE text`: the server closes the connection.
    case bye(ResponseText)
    /// `* PREAUTH text`: greeting of an already authenticated connection.
    case preauth(ResponseText)
    case capability([String])
    /// RFC 5161 `* ENABLED cap…`.
    case enabled([String])
    /// RFC 2971 `* ID (…)` or `* ID NIL`.
    case id([IDParameter]?)
    case namespace(NamespaceResponse)
    case list(ListResponse)
    case lsub(ListResponse)
    case status(MailboxName, [StatusItem])
    case flags([Flag])
    case exists(UInt32)
    case recent(UInt32)
    case expunge(UInt32)
    /// RFC 7162 `* VANISHED [(EARLIER)] uids`.
    case vanished(earlier: Bool, NumberSet)
    /// `* SEARCH n…` with RFC 7162 `(MODSEQ n)` when asked for.
    case search([UInt32], modSeq: UInt64?)
    case esearch(ESearchResponse)
    /// RFC 5256 `* SORT n…` (RFC 7162 adds MODSEQ).
    case sort([UInt32], modSeq: UInt64?)
    case thread([ThreadNode])
    case fetch(UInt32, [MessageAttribute])
    /// RFC 9208 `* QUOTA root (resource usage limit …)`.
    case quota(root: [UInt8], [QuotaUsage])
    /// RFC 9208 `* QUOTAROOT mailbox root…`.
    case quotaRoot(MailboxName, roots: [[UInt8]])
}
