import MoatCore

/// Where one mailbox's Maildir lives: `<root>/<domain>/<user>/Maildir`, the layout of
/// Postfix Admin with Dovecot's `mail_location = maildir:/var/vmail/%d/%n/Maildir`.
///
/// The domain is lowercased (domains compare case-insensitively, so `Example.COM` must not
/// get a second mailbox); the user keeps its case, which the directory decides.
public struct MaildirPath: Sendable, Hashable, CustomStringConvertible {
    public let root: String
    public let domain: String
    public let user: String

    /// - Throws: `MailstoreError.invalidMailboxName` if `domain` or `user` is not a single
    ///   safe path component: a recipient such as `../x@example.com` or `a/b@example.com`
    ///   (`/` is legal atext) must not reach another directory.
    public init(root: String, domain: String, user: String) throws {
        let domain = domain.lowercased()
        for component in [domain, user] where !Self.isSafeComponent(component) {
            throw MailstoreError.invalidMailboxName(component)
        }
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.domain = domain
        self.user = user
    }

    /// The mailbox of `address`: its domain and its local part as the user.
    public init(root: String, address: EmailAddress) throws {
        try self.init(root: root, domain: address.domain, user: address.localPart)
    }

    /// `<root>/<domain>/<user>/Maildir`, the INBOX and the parent of every folder.
    public var maildir: String { "\(root)/\(domain)/\(user)/Maildir" }

    public var description: String { maildir }

    /// The directory holding `folder`'s `cur`, `new` and `tmp`: the Maildir itself for
    /// the INBOX, `Maildir/.Name` for a Maildir++ folder.
    public func directory(of folder: MaildirFolder) -> String {
        guard let name = folder.directoryName else { return maildir }
        return "\(maildir)/\(name)"
    }

    /// One non-empty path component that is neither `.` nor `..` (a leading dot would also
    /// make a user directory look like a Maildir++ folder), with no `/`, NUL or control
    /// character.
    private static func isSafeComponent(_ text: String) -> Bool {
        guard !text.isEmpty, !text.hasPrefix("."), text.utf8.count <= 255 else { return false }
        return text.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "/") }
    }
}
