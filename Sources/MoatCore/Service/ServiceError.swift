/// Why `moat serve` would not start under the account it was given, or could not switch to it.
public enum ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownUser(String)
    case unknownGroup(String)
    /// Started (or configured) as root without `[service] allow_root = true`.
    case rootRefused(String)
    /// Started as one unprivileged account, configured for another: only root may switch.
    case cannotSwitch(from: ServiceAccount, to: ServiceAccount)
    /// A system call of the switch failed, or the switch did not hold when checked.
    case switchFailed(String)
    /// `[delivery] maildir_owner` or `maildir_group` names an account Moat cannot give files to.
    case maildirAccount(key: String, String)

    public var description: String {
        switch self {
        case .unknownUser(let name): "[service] user: no user '\(name)' on this system (make install creates 'moat')"
        case .unknownGroup(let name): "[service] group: no group '\(name)' on this system"
        case .rootRefused(let why): why
        case .cannotSwitch(let from, let to):
            "[service] user: running as \(from) cannot switch to \(to): start moat as root (it drops to \(to.user) after binding) or as \(to.user)"
        case .switchFailed(let why): "cannot drop privileges: \(why)"
        case .maildirAccount(let key, let why): "[delivery] \(key): \(why)"
        }
    }
}
