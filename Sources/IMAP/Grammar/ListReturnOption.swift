/// RFC 5258 `return-option`. An unknown option is a syntax error (RFC 5258 §3: BAD).
public enum ListReturnOption: Hashable, Sendable {
    case subscribed
    case children
    /// RFC 5819 LIST-STATUS.
    case status([StatusAttribute])
    /// RFC 6154.
    case specialUse
}
