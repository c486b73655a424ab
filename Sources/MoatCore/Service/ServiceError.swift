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

    /// The setting the error is about, where a config issue points (`[service] user`); nil
    /// for a failed switch, which no setting caused.
    public var setting: (section: String, key: String)? {
        switch self {
        case .unknownUser, .cannotSwitch: ("service", "user")
        case .unknownGroup: ("service", "group")
        case .rootRefused: ("service", "allow_root")
        case .maildirAccount(let key, _): ("delivery", key)
        case .switchFailed: nil
        }
    }

    /// What is wrong, without the setting's name.
    public var reason: String {
        switch self {
        case .unknownUser(let name): "no user '\(name)' on this system (make install creates 'moat')"
        case .unknownGroup(let name): "no group '\(name)' on this system"
        case .rootRefused(let why): why
        case .cannotSwitch(let from, let to):
            "running as \(from) cannot switch to \(to): start moat as root (it drops to \(to.user) after binding) or as \(to.user)"
        case .switchFailed(let why): "cannot drop privileges: \(why)"
        case .maildirAccount(_, let why): why
        }
    }

    /// `[section] key: reason` where there is a setting, else the reason.
    public var description: String {
        guard let setting else { return reason }
        return "[\(setting.section)] \(setting.key): \(reason)"
    }
}
