import Foundation

/// `[bayes]`: the Bayes classifier (SpamAssassin's `use_bayes`, `bayes_*` settings).
public struct BayesSettings: Sendable {
    public var enabled = true
    /// The SQLite token database, relative to the configuration file's directory unless absolute.
    public var database = "var/bayes.sqlite"
    /// Learn from scan results (`bayes_auto_learn`).
    public var autolearn = true
    /// No Bayes answer until this many ham / spam messages were learned (`bayes_min_ham_num`, `bayes_min_spam_num`).
    public var minHam = 200
    public var minSpam = 200
    /// `bayes_auto_learn_threshold_spam` / `_nonspam`.
    public var autolearnThresholdSpam = 12.0
    public var autolearnThresholdHam = 0.1
    /// Token cap; expiry removes the least recently used (`bayes_expiry_max_db_size`).
    public var maxTokens = 150_000
    /// Extra header names left out of header tokens (`bayes_ignore_header`), added to the stock list.
    public var ignoreHeaders: [String] = []
    /// Each user's own token database beside the site's (SpamAssassin's per-user `bayes_sql`,
    /// rspamd's `per_user`): IMAP Junk lessons go there, and a message for that one user is
    /// classified with it once it has `minHam`/`minSpam` learned (else with the site's).
    public var perUser = false

    /// The directory of the per-user databases: `bayes-users` beside `database`.
    public var userDirectory: String {
        ((database as NSString).deletingLastPathComponent as NSString).appendingPathComponent("bayes-users")
    }

    public init() {}

    init(_ s: ConfigSection) {
        enabled = s.bool("enabled", default: enabled)
        database = s.path("database", default: database)
        autolearn = s.bool("autolearn", default: autolearn)
        minHam = s.int("min_ham", default: minHam, range: 0...10_000_000)
        minSpam = s.int("min_spam", default: minSpam, range: 0...10_000_000)
        autolearnThresholdSpam = s.double("autolearn_threshold_spam", default: autolearnThresholdSpam)
        autolearnThresholdHam = s.double("autolearn_threshold_ham", default: autolearnThresholdHam)
        maxTokens = s.int("max_tokens", default: maxTokens, range: 1000...1_000_000_000)
        ignoreHeaders = s.strings("ignore_headers", default: ignoreHeaders)
        perUser = s.bool("per_user", default: perUser)
        if database.isEmpty { s.report("database", "must not be empty") }
        if perUser && !enabled {
            s.report("per_user", "needs enabled = true (per-user databases are Bayes databases)")
        }
        if autolearnThresholdHam >= autolearnThresholdSpam {
            s.report("autolearn_threshold_ham", "must be below autolearn_threshold_spam")
        }
    }
}
