/// A SELECT/EXAMINE parameter (RFC 4466 `select-param`); any other is a syntax error (BAD).
public enum SelectParameter: Hashable, Sendable {
    /// RFC 7162 `CONDSTORE`.
    case condStore
    /// RFC 7162 `QRESYNC (uidvalidity modseq [known-uids [seq-match-data]])`.
    case qresync(QResyncParameter)
}
