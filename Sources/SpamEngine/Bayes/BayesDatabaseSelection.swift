import MoatCore

/// Which token database classifies a message (and learns from it by autolearn).
public enum BayesDatabaseChoice: Sendable, Equatable {
    /// The site's database, and why not a user's.
    case site(SiteReason)
    /// The one recipient's own database, which has enough ham and spam learned.
    case user(String)

    public enum SiteReason: Sendable, Equatable {
        /// `[bayes] per_user = false`.
        case perUserOff
        /// No recipient known (offline scans, `moat scan`).
        case noRecipient
        /// The verdict is one per message: several users share it, so none of theirs decides.
        case severalRecipients(Int)
        /// The user has no database yet, or fewer than `min_spam`/`min_ham` learned (rspamd's fallback).
        case userUntrained(String)
        /// The user's database could not be read (logged); the site's answers instead.
        case userUnavailable(String, reason: String)
    }

    /// The zero-score rule a verdict carries when a user's database gave its BAYES_xx, so
    /// admins see it in `X-Spam-Status: … tests=[…]` and in the log.
    public static let userRule = "BAYES_USER"
}

/// The choice of database, as rspamd's `per_user` statistics and SpamAssassin's per-user
/// `bayes_sql` make it: a message for exactly one user (final recipient, after alias
/// resolution where it is known) is classified with that user's database when it has at
/// least `minSpam` spam and `minHam` ham learned; anything else uses the site's.
public struct BayesDatabaseSelection: Sendable {
    public var perUser: Bool
    public var minSpam: Int
    public var minHam: Int

    public init(perUser: Bool, minSpam: Int, minHam: Int) {
        self.perUser = perUser
        self.minSpam = minSpam
        self.minHam = minHam
    }

    /// The selection `[bayes]` asks for.
    public init(_ settings: BayesSettings) {
        self.init(perUser: settings.perUser, minSpam: settings.minSpam, minHam: settings.minHam)
    }

    /// - Parameters:
    ///   - users: the message's final recipients (duplicates and case do not count twice).
    ///   - counts: a user's learned spam and ham counts; nil when the user has no database.
    public func choose(users: [String], counts: (String) throws -> (nspam: Int, nham: Int)?) -> BayesDatabaseChoice {
        guard perUser else { return .site(.perUserOff) }
        let distinct = Set(users.map { $0.lowercased() })
        guard let user = distinct.first else { return .site(.noRecipient) }
        guard distinct.count == 1 else { return .site(.severalRecipients(distinct.count)) }
        do {
            guard let (nspam, nham) = try counts(user), nspam >= minSpam, nham >= minHam else {
                return .site(.userUntrained(user))
            }
            return .user(user)
        } catch {
            return .site(.userUnavailable(user, reason: "\(error)"))
        }
    }
}
