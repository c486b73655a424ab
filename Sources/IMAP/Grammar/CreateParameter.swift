/// A CREATE parameter (RFC 4466 `create-param`); any other is a syntax error (BAD).
public enum CreateParameter: Hashable, Sendable {
    /// RFC 6154 `USE (\Drafts \Sent …)`: the special-use attributes, as sent (with `\`).
    case use([String])
}
