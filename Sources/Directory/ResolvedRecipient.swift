/// One final destination of a recipient after alias expansion.
public enum ResolvedRecipient: Hashable, Sendable {
    /// Deliver into a mailbox here.
    case mailbox(LocalDelivery)
    /// Send on by SMTP to the address's MX: an alias to another domain, an address in a
    /// backup-MX domain, or one in a domain that is not (or not actively) ours.
    case remote(String)
    /// Nothing to deliver to; the rejection carries the SMTP reply.
    case rejected(RecipientRejection)
}

/// A local mailbox delivery: where the message goes and how much it may fill.
public struct LocalDelivery: Hashable, Sendable {
    /// The mailbox address, `local@domain`, without extension.
    public var address: String
    /// The address extension after the delimiter (`news` for `alice+news@…`), for
    /// delivery into a folder as Dovecot's `lmtp_save_to_detail_mailbox` does.
    public var extensionPart: String?
    /// `<mail_root>/<domain>/<user>/Maildir`.
    public var maildir: String
    /// Maildir size limit in bytes; 0 means unlimited.
    public var quotaBytes: Int64

    public init(address: String, extensionPart: String?, maildir: String, quotaBytes: Int64) {
        self.address = address
        self.extensionPart = extensionPart
        self.maildir = maildir
        self.quotaBytes = quotaBytes
    }
}

/// Why a recipient has nowhere to go, with the reply Postfix gives for the same case.
public struct RecipientRejection: Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// A local domain without this mailbox or alias.
        case unknownUser
        /// Alias expansion looped or exceeded the nesting or size limit; temporary, as in
        /// Postfix, so mail waits while the admin fixes the aliases.
        case aliasExpansion
    }

    /// The address that had no destination (for an expansion error: the recipient).
    public var address: String
    public var reason: Reason

    public init(address: String, reason: Reason) {
        self.address = address
        self.reason = reason
    }

    /// 550 or 451.
    public var code: Int { reason == .unknownUser ? 550 : 451 }
    /// RFC 3463 status.
    public var enhancedStatus: String { reason == .unknownUser ? "5.1.1" : "4.6.0" }

    /// The reply text, e.g. `550 5.1.1 <x@example.com>: Recipient address rejected:
    /// User unknown in virtual mailbox table` (Postfix smtpd's wording).
    public var description: String {
        switch reason {
        case .unknownUser:
            "\(code) \(enhancedStatus) <\(address)>: Recipient address rejected: User unknown in virtual mailbox table"
        case .aliasExpansion:
            "\(code) \(enhancedStatus) <\(address)>: Alias expansion error"
        }
    }
}
