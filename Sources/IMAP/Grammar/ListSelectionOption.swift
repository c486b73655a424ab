/// RFC 5258 `list-select-opt`. An unknown option is a syntax error (RFC 5258 §3: BAD).
public enum ListSelectionOption: Hashable, Sendable {
    case subscribed
    case remote
    case recursiveMatch
    /// RFC 6154.
    case specialUse
}
