/// The states of an IMAP connection (RFC 9051 §3), as far as which commands may run: a
/// command outside its states is answered `BAD` and changes nothing.
public enum SessionState: Sendable, Hashable, CustomStringConvertible {
    case notAuthenticated
    case authenticated
    case selected
    case logout

    public var description: String {
        switch self {
        case .notAuthenticated: "not authenticated"
        case .authenticated: "authenticated"
        case .selected: "selected"
        case .logout: "logout"
        }
    }
}
