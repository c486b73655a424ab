#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Switches the whole process to an unprivileged account for good, the way Postfix's
/// master and Dovecot do: supplementary groups first, then the group, then the user
/// (afterwards the process could no longer change its groups), and checks that it held.
/// glibc applies each call to every thread of the process, including event-loop threads
/// started before.
public enum PrivilegeDrop {
    /// - Throws: `ServiceError.switchFailed` naming the call or check that failed; the
    ///   caller must exit, since the process may be half switched.
    public static func perform(_ account: ServiceAccount) throws(ServiceError) {
        let groups = account.groups
        if setgroups(groups.count, groups) != 0 { throw .switchFailed("setgroups(\(groups)): \(lastError())") }
        if setgid(account.gid) != 0 { throw .switchFailed("setgid(\(account.gid)): \(lastError())") }
        if setuid(account.uid) != 0 { throw .switchFailed("setuid(\(account.uid)): \(lastError())") }
        try verify(account)
    }

    /// Real, effective (and, through setuid(0) failing, saved) ids are the account's, the
    /// groups are exactly the account's, and root cannot be regained.
    public static func verify(_ account: ServiceAccount) throws(ServiceError) {
        let ids = (getuid(), geteuid(), getgid(), getegid())
        guard ids == (account.uid, account.uid, account.gid, account.gid) else {
            throw .switchFailed("after the switch uid=\(ids.0) euid=\(ids.1) gid=\(ids.2) egid=\(ids.3), expected \(account)")
        }
        let held = AccountDatabase.heldGroups()
        guard Set(held) == Set(account.groups) else {
            throw .switchFailed("after the switch the process holds groups \(held), expected \(account.groups)")
        }
        if account.uid != 0, setuid(0) == 0 {
            throw .switchFailed("setuid(0) succeeded after dropping to \(account): the saved uid is still root")
        }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
