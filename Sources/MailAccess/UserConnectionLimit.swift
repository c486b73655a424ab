/// Dovecot's `mail_max_userip_connections`: how many sessions one user may have open from
/// one address at once (10 for IMAP by default: a client opens several, a runaway client
/// opens hundreds). Counts are kept per service by the server that owns the value.
public struct UserConnectionLimit: Sendable {
    public let limit: Int
    private var open: [Key: Int] = [:]

    private struct Key: Hashable {
        var user: String
        var address: String
    }

    public init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot for `user` from `address`; false (and nothing taken) when they are all in use.
    public mutating func acquire(user: String, address: String?) -> Bool {
        let key = Key(user: user, address: address ?? "")
        let count = open[key, default: 0]
        guard count < limit else { return false }
        open[key] = count + 1
        return true
    }

    /// Gives back a slot `acquire` took.
    public mutating func release(user: String, address: String?) {
        let key = Key(user: user, address: address ?? "")
        guard let count = open[key] else { return }
        open[key] = count > 1 ? count - 1 : nil
    }

    /// Sessions open for `user` from `address`.
    public func count(user: String, address: String?) -> Int {
        open[Key(user: user, address: address ?? "")] ?? 0
    }
}
