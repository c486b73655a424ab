import Dispatch
import IMAPServer
import Logging
import MoatCore
import SpamEngine

/// Learns what IMAP users teach by moving mail into and out of Junk, into the site's Bayes
/// database or, with `[bayes] per_user`, into the user's own (created on the first lesson),
/// one message after another on a queue of its own: the IMAP reply never waits, and
/// learning a message as ham that was learned as spam moves its counts over (SpamAssassin's
/// sa-learn does the same). Tokens beyond `max_tokens` expire every
/// `RuleEngine.expiryCheckInterval` messages per database, as autolearn does (each check
/// counts the tokens). Every lesson is logged with the database it went into.
final class BayesJunkLearner: JunkLearner {
    private let site: BayesFilter
    private let users: BayesUserDatabases?
    private let maxTokens: Int
    private let queue = DispatchQueue(label: "moat.junk-learning", qos: .utility)
    /// Messages learned into each database since its last expiry check.
    private let sinceExpiry = Locked<[String: Int]>([:])
    private let logger: Logger

    init(settings: BayesSettings, logger: Logger) throws {
        site = try BayesFilter(settings: settings)
        users = settings.perUser ? BayesUserDatabases(settings: settings) : nil
        maxTokens = settings.maxTokens
        self.logger = logger
    }

    func learn(_ messages: [[UInt8]], asSpam: Bool, user: String, reason: String) {
        let (site, users, maxTokens, logger, sinceExpiry) = (self.site, self.users, self.maxTokens, self.logger, self.sinceExpiry)
        queue.async {
            let filter: BayesFilter
            let database: String
            if let users {
                do {
                    (filter, database) = (try users.filter(for: user), "\(user)'s own Bayes database")
                } catch {
                    logger.error("imap(\(user)): \(reason): \(messages.count) message(s) not learned: \(error)")
                    return
                }
            } else {
                (filter, database) = (site, "the site's Bayes database")
            }
            var learned = 0, relearned = 0, already = 0, failed = 0
            for message in messages {
                do {
                    switch try filter.learn(message, isSpam: asSpam) {
                    case .learned: learned += 1
                    case .relearned: relearned += 1
                    case .alreadyLearned: already += 1
                    }
                } catch {
                    failed += 1
                    logger.error("imap(\(user)): Bayes learning failed: \(error)")
                }
            }
            let due = sinceExpiry.withLock { counts in
                counts[database, default: 0] += learned + relearned
                guard counts[database, default: 0] >= RuleEngine.expiryCheckInterval else { return false }
                counts[database] = 0
                return true
            }
            if due {
                do {
                    try filter.store.expire(keepingAtMost: maxTokens)
                } catch {
                    logger.warning("imap(\(user)): Bayes expiry failed: \(error)")
                }
            }
            logger.info("imap(\(user)): \(reason): learned \(learned + relearned) message(s) as \(asSpam ? "spam" : "ham") (\(relearned) relearned, \(already) already learned, \(failed) failed) into \(database)")
        }
    }
}
