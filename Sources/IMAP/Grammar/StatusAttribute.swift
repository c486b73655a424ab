/// A STATUS item (RFC 9051 §6.3.11 and extensions).
public enum StatusAttribute: String, Hashable, Sendable, CaseIterable {
    case messages = "MESSAGES"
    case recent = "RECENT"
    case uidNext = "UIDNEXT"
    case uidValidity = "UIDVALIDITY"
    case unseen = "UNSEEN"
    case deleted = "DELETED"
    case size = "SIZE"
    /// RFC 7162.
    case highestModSeq = "HIGHESTMODSEQ"
    /// RFC 7889.
    case appendLimit = "APPENDLIMIT"
}
