import Directory
import Filter
import MoatCore

/// The MX's mapping for per-user Bayes: each recipient resolved through the directory's
/// aliases to its final mailboxes (as delivery will), so mail to `sales@` that reaches
/// only alice is alice's, and an alias that fans out makes several users (the site's
/// database then answers); a remote target counts as a user of its own. A recipient the
/// lookup cannot resolve counts as itself: it still stops one user's database from
/// judging mail others get too.
public struct DirectoryBayesUsers: BayesRecipientUsers {
    public let resolver: RecipientResolver
    private let pool: BlockingWorkPool
    private let fallback: EnvelopeBayesUsers

    public init(resolver: RecipientResolver, pool: BlockingWorkPool) {
        self.resolver = resolver
        self.pool = pool
        fallback = EnvelopeBayesUsers(recipientDelimiter: resolver.recipientDelimiter)
    }

    /// The users of `recipients`; once two differ the answer can only be the site's database,
    /// so the rest are not looked up (a message to 1,000 recipients costs two lookups, not 1,000).
    public func users(for recipients: [EmailAddress]) async -> [String] {
        var users: [String] = []
        for recipient in recipients where !recipient.isNull {
            if Set(users).count > 1 { break }
            let resolver = resolver
            let destinations = try? await pool.run { () -> [String] in
                try resolver.resolve(recipient.description).compactMap { destination in
                    switch destination {
                    case .mailbox(let local): local.address
                    case .remote(let address): address.lowercased()
                    case .rejected: nil
                    }
                }
            }
            if let destinations, !destinations.isEmpty {
                users += destinations
            } else {
                users.append(fallback.user(of: recipient))
            }
        }
        return users
    }
}
