import Dispatch
import IMAPServer
import Logging
import MoatCore
import SpamEngine

/// Learns what IMAP users teach by moving mail into and out of Junk, into the site's Bayes
/// database, one message after another on a queue of its own: the IMAP reply never waits,
/// and learning a message as ham that was learned as spam moves its counts over (SpamAssassin's
/// sa-learn does the same). Every lesson is logged.
final class BayesJunkLearner: JunkLearner {
    private let filter: BayesFilter
    private let queue = DispatchQueue(label: "moat.junk-learning", qos: .utility)
    private let logger: Logger

    init(settings: BayesSettings, logger: Logger) throws {
        filter = try BayesFilter(settings: settings)
        self.logger = logger
    }

    func learn(_ messages: [[UInt8]], asSpam: Bool, user: String, reason: String) {
        let (filter, logger) = (self.filter, self.logger)
        queue.async {
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
            logger.info("imap(\(user)): \(reason): learned \(learned + relearned) message(s) as \(asSpam ? "spam" : "ham") (\(relearned) relearned, \(already) already learned, \(failed) failed)")
        }
    }
}
