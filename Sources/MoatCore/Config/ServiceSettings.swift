/// `[service]`: which account `moat serve` runs as. Started as root it binds its listeners
/// and then switches to `user`/`group` for good, as Postfix's master and Dovecot do; it
/// refuses to serve as root unless `allow_root` says so.
public struct ServiceSettings: Sendable, Equatable {
    /// The account to switch to after binding; empty = stay whoever started the process
    /// (the repository's development config and the tests).
    public var user = ""
    /// Its group; empty = the user's primary group.
    public var group = ""
    /// Serve as root (uid 0) at all: off, so a config that forgets `user` cannot make a
    /// parser of network input run with every privilege.
    public var allowRoot = false

    public init() {}

    init(_ s: ConfigSection) {
        user = s.string("user", default: user)
        group = s.string("group", default: group)
        allowRoot = s.bool("allow_root", default: allowRoot)
        for (key, value) in [("user", user), ("group", group)] where !AccountName.isPlausible(value) {
            s.report(key, "'\(value)' is not a user or group name")
        }
        if user.isEmpty, !group.isEmpty { s.report("group", "needs [service] user") }
    }
}

/// What a user or group name in the config may look like: empty (unset) or the POSIX
/// portable name characters `useradd` accepts, so a typo is caught by `config check`.
enum AccountName {
    static func isPlausible(_ name: String) -> Bool {
        name.utf8.count <= 32 && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        } && !name.hasPrefix("-")
    }
}
