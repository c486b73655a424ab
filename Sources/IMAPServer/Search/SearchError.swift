import Mailstore

/// Why a SEARCH, SORT or THREAD could not be evaluated; the session maps each to its reply.
public enum SearchError: Error, Hashable, Sendable {
    /// `CHARSET` names a charset the server does not search in: the reply is
    /// `NO [BADCHARSET (UTF-8 US-ASCII)]` (RFC 9051 §6.4.4), listing ``SearchCharset/supported``.
    case unsupportedCharset(String)
    /// The message file could not be read (gone since the last sync, I/O error): the reply
    /// is `NO`, as Dovecot answers when a mail is expunged under a search.
    case messageUnreadable(uid: MessageUID, reason: String)
}

/// The charsets SEARCH, SORT and THREAD accept (Dovecot without ICU accepts the same two).
/// Both are searched as UTF-8: US-ASCII is a subset.
public enum SearchCharset {
    /// What `BADCHARSET` lists, in that order.
    public static let supported = ["UTF-8", "US-ASCII"]

    /// Throws ``SearchError/unsupportedCharset(_:)`` for anything but UTF-8 and US-ASCII
    /// (any case); nil (no CHARSET) is UTF-8.
    public static func validate(_ charset: String?) throws(SearchError) {
        guard let charset else { return }
        guard supported.contains(charset.uppercased()) else { throw .unsupportedCharset(charset) }
    }
}
