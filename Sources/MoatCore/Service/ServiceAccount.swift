#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The account `moat serve` runs as after it bound its listeners: `[service] user`/`group`
/// resolved to numbers, plus the groups it keeps (the Maildir group, so it may give
/// delivered mail to the group an IMAP server reads with).
public struct ServiceAccount: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var uid: uid_t
    public var group: String
    public var gid: gid_t
    /// Supplementary groups after the switch (besides `gid`); Postfix keeps none.
    public var supplementaryGroups: [gid_t]

    public init(user: String, uid: uid_t, group: String, gid: gid_t, supplementaryGroups: [gid_t] = []) {
        self.user = user
        self.uid = uid
        self.group = group
        self.gid = gid
        self.supplementaryGroups = supplementaryGroups
    }

    /// Every group the process holds after the switch, primary first, without repeats.
    public var groups: [gid_t] {
        var all = [gid]
        for g in supplementaryGroups where !all.contains(g) { all.append(g) }
        return all
    }

    /// `moat (uid 998) / moat (gid 998)`.
    public var description: String { "\(user) (uid \(uid)) / \(group) (gid \(gid))" }

    /// Resolves `[service] user` and `group` in the system's user database (NSS).
    /// - Parameter group: empty = the user's primary group.
    /// - Throws: `ServiceError.unknownUser` / `.unknownGroup`.
    public static func resolve(user: String, group: String) throws(ServiceError) -> ServiceAccount {
        guard let entry = AccountDatabase.user(named: user) else { throw .unknownUser(user) }
        if group.isEmpty {
            let name = AccountDatabase.groupName(of: entry.gid) ?? String(entry.gid)
            return ServiceAccount(user: user, uid: entry.uid, group: name, gid: entry.gid)
        }
        guard let gid = AccountDatabase.groupID(named: group) else { throw .unknownGroup(group) }
        return ServiceAccount(user: user, uid: entry.uid, group: group, gid: gid)
    }

    /// The account this process runs as now (effective ids).
    public static func current() -> ServiceAccount {
        ids(uid: geteuid(), gid: getegid())
    }

    /// The account of these ids, named from the user database (the number where it has no
    /// entry).
    public static func ids(uid: uid_t, gid: gid_t) -> ServiceAccount {
        ServiceAccount(user: AccountDatabase.userName(of: uid) ?? String(uid), uid: uid,
                       group: AccountDatabase.groupName(of: gid) ?? String(gid), gid: gid)
    }
}

/// getpwnam_r / getgrnam_r and their reverse, with buffers that grow on ERANGE.
public enum AccountDatabase {
    public static func user(named name: String) -> (uid: uid_t, gid: gid_t)? {
        withGrowingBuffer { buffer in
            var entry = passwd(), result: UnsafeMutablePointer<passwd>?
            let code = getpwnam_r(name, &entry, buffer.baseAddress!, buffer.count, &result)
            return (code, result.map { _ in (entry.pw_uid, entry.pw_gid) })
        }
    }

    public static func groupID(named name: String) -> gid_t? {
        withGrowingBuffer { buffer in
            var entry = group(), result: UnsafeMutablePointer<group>?
            let code = getgrnam_r(name, &entry, buffer.baseAddress!, buffer.count, &result)
            return (code, result.map { _ in entry.gr_gid })
        }
    }

    public static func userName(of uid: uid_t) -> String? {
        withGrowingBuffer { buffer in
            var entry = passwd(), result: UnsafeMutablePointer<passwd>?
            let code = getpwuid_r(uid, &entry, buffer.baseAddress!, buffer.count, &result)
            return (code, result.map { _ in String(cString: entry.pw_name) })
        }
    }

    public static func groupName(of gid: gid_t) -> String? {
        withGrowingBuffer { buffer in
            var entry = group(), result: UnsafeMutablePointer<group>?
            let code = getgrgid_r(gid, &entry, buffer.baseAddress!, buffer.count, &result)
            return (code, result.map { _ in String(cString: entry.gr_name) })
        }
    }

    /// The supplementary groups the process holds now (getgroups(2)); empty when it cannot tell.
    public static func heldGroups() -> [gid_t] {
        let count = getgroups(0, nil)
        guard count > 0 else { return [] }
        var groups = [gid_t](repeating: 0, count: Int(count))
        let held = getgroups(count, &groups)
        return held < 0 ? [] : Array(groups.prefix(Int(held)))
    }

    private static func withGrowingBuffer<T>(_ body: (UnsafeMutableBufferPointer<CChar>) -> (Int32, T?)) -> T? {
        var size = 1024
        // Group entries with thousands of members need more; 1 MiB is far beyond any real one.
        while size <= 1 << 20 {
            let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            let (code, value) = body(buffer)
            if code == ERANGE {
                size *= 4
                continue
            }
            return value
        }
        return nil
    }
}
