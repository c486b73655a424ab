/// Everything the directory refuses or fails at, each case naming the domain, address or
/// operation an operator needs to act on it.
public enum DirectoryError: Error, CustomStringConvertible, Equatable {
    /// Not a domain name Moat can host (syntax, or an address literal).
    case invalidDomain(String)
    /// Not an address the directory accepts here; `reason` says which rule it broke.
    case invalidAddress(String, reason: String)
    /// The domain is not in the directory.
    case unknownDomain(String)
    /// `domain add` of a domain that is already there.
    case domainExists(String)
    /// `domain del` of a domain that still has mailboxes or aliases (use `force`).
    case domainNotEmpty(String, mailboxes: Int, aliases: Int)
    /// Mailboxes and aliases live only in domains delivered here, not in backup-MX ones.
    case backupMXDomain(String)
    /// No mailbox with this address.
    case unknownMailbox(String)
    /// `user add` of an address that already has a mailbox.
    case mailboxExists(String)
    /// This alias row (address → target) already exists.
    case aliasExists(address: String, target: String)
    /// No alias for `address` (with `target`, when one was named).
    case unknownAlias(address: String, target: String?)
    /// A quota that is negative or not a size.
    case invalidQuota(String)
    /// A password that cannot be hashed: empty, or containing NUL.
    case invalidPassword(reason: String)
    /// A stored hash in a scheme Moat cannot verify, e.g. `{PLAIN}` or `{ARGON2I}`.
    case unsupportedHashScheme(String)
    /// libcrypt refused to make a salt or a hash.
    case crypt(operation: String, errno: Int32)
    /// SQLite failed; `underlying` is GRDB's error.
    case database(operation: String, underlying: String)

    public var description: String {
        switch self {
        case .invalidDomain(let name):
            "invalid domain name \(Self.quoted(name))"
        case .invalidAddress(let address, let reason):
            "invalid address \(Self.quoted(address)): \(reason)"
        case .unknownDomain(let name):
            "no domain \(Self.quoted(name)) in the directory"
        case .domainExists(let name):
            "domain \(Self.quoted(name)) already exists"
        case .domainNotEmpty(let name, let mailboxes, let aliases):
            "domain \(Self.quoted(name)) still has \(mailboxes) mailbox(es) and \(aliases) alias(es); use --force to delete them too"
        case .backupMXDomain(let name):
            "domain \(Self.quoted(name)) is a backup MX: its mail is relayed, it holds no mailboxes or aliases"
        case .unknownMailbox(let address):
            "no mailbox \(Self.quoted(address))"
        case .mailboxExists(let address):
            "mailbox \(Self.quoted(address)) already exists"
        case .aliasExists(let address, let target):
            "alias \(Self.quoted(address)) -> \(Self.quoted(target)) already exists"
        case .unknownAlias(let address, nil):
            "no alias \(Self.quoted(address))"
        case .unknownAlias(let address, let target?):
            "no alias \(Self.quoted(address)) -> \(Self.quoted(target))"
        case .invalidQuota(let text):
            "invalid quota \(Self.quoted(text)) (a size such as 500M or 2G, 0 for unlimited)"
        case .invalidPassword(let reason):
            "invalid password: \(reason)"
        case .unsupportedHashScheme(let scheme):
            "unsupported password scheme \(Self.quoted(scheme)) (expected {SHA512-CRYPT}, {SHA256-CRYPT}, {CRYPT} or $n$…)"
        case .crypt(let operation, let code):
            "libcrypt \(operation) failed (errno \(code))"
        case .database(let operation, let underlying):
            "directory database \(operation) failed: \(underlying)"
        }
    }

    /// Debug-quoted, so control characters in hostile input are visible in logs.
    private static func quoted(_ text: String) -> String { String(reflecting: text) }
}
