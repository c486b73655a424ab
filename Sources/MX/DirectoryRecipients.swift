import Directory
import Mailstore
import MoatCore
import Policy

/// The directory as the restriction checks see it: active non-backup domains are local
/// (Postfix's virtual mailbox domains), backup-MX domains and `[mx] relay_domains` are
/// relayed, and a local recipient exists when alias and mailbox resolution gives it a
/// destination. Over quota is known from the mailbox's `maildirsize`.
public struct DirectoryRecipients: RecipientDirectory {
    public let store: DirectoryStore
    public let resolver: RecipientResolver
    public let relayDomains: Set<String>

    public init(store: DirectoryStore, resolver: RecipientResolver, relayDomains: [String]) {
        self.store = store
        self.resolver = resolver
        self.relayDomains = Set(relayDomains.map { AddressRouting.normalisedDomain($0) })
    }

    public func isLocalDomain(_ domain: String) async throws -> Bool {
        try store.isLocalDomain(domain)
    }

    public func isRelayDomain(_ domain: String) async throws -> Bool {
        if relayDomains.contains(domain) { return true }
        guard let found = try store.domain(domain), found.active else { return false }
        return found.backupMX
    }

    public func recipientExists(_ address: EmailAddress) async throws -> RecipientStatus {
        guard try store.isLocalDomain(AddressRouting.normalisedDomain(address.domain)) else {
            return .exists // a relay domain: its own MX knows its users (no relay_recipient_maps)
        }
        var anyDestination = false
        for destination in try resolver.resolve(address.description) {
            switch destination {
            case .mailbox(let local):
                anyDestination = true
                if local.quotaBytes > 0, try Self.isFull(local) { return .overQuota }
            case .remote:
                anyDestination = true
            case .rejected(let rejection):
                if rejection.reason == .aliasExpansion { throw rejection }
            }
        }
        return anyDestination ? .exists : .unknown
    }

    /// Full already: not even one more byte fits. (The size of the message is not known at
    /// RCPT; delivery checks again with it.) A Maildir not created yet is empty.
    private static func isFull(_ local: LocalDelivery) throws -> Bool {
        guard try DurableFile.status(of: local.maildir) != nil else { return false }
        let quota = MaildirQuota(maildir: local.maildir, limit: QuotaLimit(bytes: local.quotaBytes))
        return try quota.wouldExceed(size: 1)
    }
}

extension RecipientRejection: Error {}
