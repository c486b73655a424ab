/// A client command of IMAP4rev1 (RFC 3501), IMAP4rev2 (RFC 9051) and the extensions Moat
/// parses. UID variants are the same case with `byUID` set in their value. APPEND is not
/// here: its messages stream as `CommandParserEvent.append…` events.
public enum Command: Hashable, Sendable {
    // Any state (RFC 9051 §6.1).
    case capability
    case noop
    case logout
    /// RFC 2971: `ID ("name" "value" …)` or `ID NIL` (nil).
    case id([IDParameter]?)

    // Not authenticated (§6.2).
    case startTLS
    /// SASL mechanism (upper-cased) and the RFC 4959 SASL-IR initial response.
    case authenticate(mechanism: String, initialResponse: AuthenticationResponse?)
    /// User and password as sent (astring: atom, quoted or literal).
    case login(username: [UInt8], password: [UInt8])

    // Authenticated (§6.3).
    /// RFC 5161: the capability names, upper-cased.
    case enable([String])
    case namespace
    case select(MailboxName, [SelectParameter])
    case examine(MailboxName, [SelectParameter])
    case create(MailboxName, [CreateParameter])
    case delete(MailboxName)
    case rename(from: MailboxName, to: MailboxName)
    case subscribe(MailboxName)
    case unsubscribe(MailboxName)
    case list(ListCommand)
    case lsub(reference: MailboxName, pattern: [UInt8])
    case status(MailboxName, [StatusAttribute])
    case idle
    /// RFC 9208.
    case getQuota(root: [UInt8])
    case getQuotaRoot(MailboxName)
    case setQuota(root: [UInt8], [QuotaLimit])

    // Selected (§6.4).
    case check
    case close
    case unselect
    case expunge
    /// RFC 4315 UIDPLUS.
    case uidExpunge(SequenceSet)
    case search(SearchCommand)
    case fetch(FetchCommand)
    case store(StoreCommand)
    case copy(CopyCommand)
    /// RFC 6851.
    case move(CopyCommand)
    /// RFC 5256 (and RFC 5267 ESORT).
    case sort(SortCommand)
    case thread(ThreadCommand)
}
