import MoatCore

/// Who gets the virus and banned notices (amavisd-new's `$virus_admin`, `$banned_admin`).
public enum NoticeAdmin: Sendable {
    /// Notices are off (`[notify] admin = ""`).
    case nobody
    /// A configured address (or the gateway's default, Postfix's local postmaster).
    case address(EmailAddress)
    /// The MX's default: asked when a notice goes out, so a domain added after start-up
    /// counts (`postmaster@` the first local domain); nil when there is none yet.
    case lookedUp(@Sendable () async -> EmailAddress?)

    /// Where this notice goes, if anywhere.
    public func address() async -> EmailAddress? {
        switch self {
        case .nobody: nil
        case .address(let address): address
        case .lookedUp(let lookup): await lookup()
        }
    }
}
