import MoatCore

/// Turns a message's envelope recipients into the users whose own Bayes databases may
/// classify it (`[bayes] per_user`): the final mailboxes after alias resolution where the
/// caller knows the aliases (the MX), the addresses themselves where the MTA in front has
/// resolved them (the gateway behind Postfix).
public protocol BayesRecipientUsers: Sendable {
    func users(for recipients: [EmailAddress]) async -> [String]
}

/// The gateway's mapping: Postfix hands the filter recipients after `virtual_alias_maps`,
/// so each address is its user, lowercased, without its extension (`alice+news@` is
/// alice's), as the MX's directory lookup strips it too.
public struct EnvelopeBayesUsers: BayesRecipientUsers {
    /// Characters any of which starts an address extension (`[delivery] recipient_delimiter`).
    public var recipientDelimiter: String

    public init(recipientDelimiter: String) { self.recipientDelimiter = recipientDelimiter }

    public func users(for recipients: [EmailAddress]) async -> [String] {
        recipients.filter { !$0.isNull }.map(user(of:))
    }

    /// The user an address is: lowercased, extension stripped.
    public func user(of address: EmailAddress) -> String {
        var local = Substring(address.localPart)
        if let cut = local.firstIndex(where: { recipientDelimiter.contains($0) }), cut != local.startIndex {
            local = local[..<cut]
        }
        return "\(local)@\(address.domain)".lowercased()
    }
}
