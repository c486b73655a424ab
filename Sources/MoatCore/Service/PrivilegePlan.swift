#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What `moat serve` does about its privileges, decided before it opens anything: stay who
/// it is, or switch to the service account after binding. Refusals are thrown, so a root
/// process without a service user never gets as far as reading a byte from the network.
public enum PrivilegePlan: Sendable, Equatable {
    /// Serve as the account that started the process.
    case stay
    /// Bind as root, then switch to this account for good.
    case switchTo(ServiceAccount)

    /// - Parameters:
    ///   - currentUID: the effective uid the process started with.
    ///   - target: `[service] user`/`group` resolved; nil when `user` is empty.
    /// - Throws: `ServiceError.rootRefused` when the process would serve as root without
    ///   `allow_root`; `.cannotSwitch` when an unprivileged process is configured for another account.
    public static func decide(settings: ServiceSettings, currentUID: uid_t,
                              target: ServiceAccount?) throws(ServiceError) -> PrivilegePlan {
        guard let target else {
            if currentUID == 0, !settings.allowRoot {
                throw .rootRefused("refusing to serve as root: set [service] user = \"moat\" (moat binds its ports as root, then switches to it), or allow_root = true")
            }
            return .stay
        }
        if target.uid == 0 {
            guard settings.allowRoot else {
                throw .rootRefused("[service] user = \(target.user) is root: refused unless [service] allow_root = true")
            }
            return currentUID == 0 ? .stay : .switchTo(target)
        }
        if currentUID == target.uid { return .stay }
        guard currentUID == 0 else {
            throw .cannotSwitch(from: ServiceAccount.ids(uid: currentUID, gid: getegid()), to: target)
        }
        return .switchTo(target)
    }
}
