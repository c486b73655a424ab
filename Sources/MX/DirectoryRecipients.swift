import Directory
import Mailstore
import MoatCore
import Policy

/// The directory as the restriction checks see it: active non-backup domains are local
/// (Postfix's virtual mailbox domains), backup-MX domains and `[mx] relay_domains` are
/// relayed, and a local recipient exists when alias and mailbox resolution gives it a
/// destination. Over quota is known from the mailbox's `maildirsize`.
///
/// SQLite reads and Maildir scans block, so they run on `pool`, never on the threads that
/// run the SMTP sessions.
public struct DirectoryRecipients: RecipientDirectory {
    public let store: DirectoryStore
    public let resolver: RecipientResolver
    public let relayDomains: Set<String>
    private let pool: BlockingWorkPool

    public init(store: DirectoryStore, resolver: RecipientResolver, relayDomains: [String], pool: BlockingWorkPool) {
        self.store = store
        self.resolver = resolver
        self.relayDomains = Set(relayDomains.map { AddressRouting.normalisedDomain($0) })
        self.pool = pool
    }

    public func isLocalDomain(_ domain: String) async throws -> Bool {
        let store = store
        return try await pool.run { try store.isLocalDomain(domain) }
    }

    public func isRelayDomain(_ domain: String) async throws -> Bool {
        if relayDomains.contains(domain) { return true }
        let store = store
        return try await pool.run {
            guard let found = try store.domain(domain), found.active else { return false }
            return found.backupMX
        }
    }

    public func recipientExists(_ address: EmailAddress, size: Int?) async throws -> RecipientStatus {
        let store = store, resolver = resolver
        return try await pool.run { try Self.status(address, size: size, store: store, resolver: resolver) }
    }

    private static func status(_ address: EmailAddress, size: Int?, store: DirectoryStore,
                               resolver: RecipientResolver) throws -> RecipientStatus {
        guard try store.isLocalDomain(AddressRouting.normalisedDomain(address.domain)) else {
            return .exists // a relay domain: its own MX knows its users (no relay_recipient_maps)
        }
        let destinations: [ResolvedRecipient]
        do {
            destinations = try resolver.resolve(address.description)
        } catch .invalidAddress, .invalidDomain {
            return .unusable
        }
        var anyDestination = false
        for destination in destinations {
            switch destination {
            case .mailbox(let local):
                anyDestination = true
                if local.quotaBytes > 0, try Self.wouldNotFit(local, size: size) { return .overQuota }
            case .remote:
                anyDestination = true
            case .rejected(let rejection):
                if rejection.reason == .aliasExpansion { throw rejection }
            }
        }
        return anyDestination ? .exists : .unknown
    }

    /// The declared size (or, without one, a single byte) would not fit: the mailbox is
    /// full for this message as far as RCPT can know; delivery checks again with the real
    /// size. A Maildir not created yet is empty.
    private static func wouldNotFit(_ local: LocalDelivery, size: Int?) throws -> Bool {
        let needed = Int64(max(1, size ?? 1))
        guard try DurableFile.status(of: local.maildir) != nil else { return needed > local.quotaBytes }
        let quota = MaildirQuota(maildir: local.maildir, limit: QuotaLimit(bytes: local.quotaBytes))
        return try quota.wouldExceed(size: needed)
    }
}

extension RecipientRejection: Error {}
