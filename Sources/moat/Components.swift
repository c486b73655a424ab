import Filter
import Logging
import MoatCore
import Quarantine
import Scanning
import SMTP
import SpamEngine

/// Builds the long-lived parts from the configuration; shared by `serve` and `scan`.
enum Components {
    static func virusScanner(_ config: MoatConfig, logger: Logger) throws -> any VirusScanner {
        switch config.virus.engine {
        case .libclamav:
            let v = config.virus
            return try ClamAVEngine(
                databases: v.databases,
                limits: ClamAVLimits(maxScanSize: Int64(v.maxScanSize), maxFileSize: Int64(v.maxFileSize),
                                     maxRecursion: v.maxRecursion, maxFiles: v.maxFiles,
                                     maxScanTime: Int(v.maxScanTime.seconds * 1000)),
                logger: logger)
        case .clamd:
            // clamd answers with a verdict only, so archive members reach the banned-name
            // checks only through Moat's own ZIP reader.
            logger.warning(
                "banned-name checks with clamd see inside ZIP archives only: rar, 7z, tar, gz and nested deflated zips are not name-checked (engine = \"libclamav\" checks them all)")
            return try ClamdClient(config.virus.clamdSocket, logger: logger)
        }
    }

    static func checker(_ config: MoatConfig, scanner: any VirusScanner, spam: RuleEngine) throws -> ContentChecker {
        let policy = FilterPolicy(config: config)
        let banned = try BannedFilePolicy(patterns: config.banned.filenames,
                                          maxDepth: config.banned.maxDepth ?? config.virus.maxRecursion)
        var checker = ContentChecker(virusScanner: scanner, banned: banned, undecipherable: config.banned.undecipherable,
                                     spam: spam, levels: policy.levels)
        // Behind Postfix the recipients arrive alias-resolved; the MX puts its directory's mapping in place.
        if config.bayes.enabled && config.bayes.perUser {
            checker.bayesUsers = EnvelopeBayesUsers(recipientDelimiter: config.delivery.recipientDelimiter)
        }
        return checker
    }

    /// The rule engine for `[spam] rules`, compiled once. Lint errors are logged, not fatal:
    /// a rule that does not compile is skipped, as SpamAssassin does. Without `writesState`
    /// (`config check`) the same rules compile, but no Bayes database is opened (opening
    /// creates it) and no compiled-rule cache is written.
    static func spamEngine(_ config: MoatConfig, logger: Logger, writesState: Bool = true) -> RuleEngine {
        var settings = RuleEngineSettings(spam: config.spam, bayes: config.bayes, dns: config.dns)
        if !writesState { settings.bayes = nil }
        if config.spam.spamassassinRules == .auto, config.spam.spamassassinDirectories.isEmpty {
            logger.warning("rules: SpamAssassin's rules are not installed (apt-get install spamassassin): scoring with [spam] rules alone")
        }
        let engine = RuleEngine(directories: config.spam.ruleDirectories, settings: settings,
                                cacheDirectory: writesState ? config.spam.cacheDirectory : nil, logger: logger)
        let errors = engine.ruleset.diagnostics.filter { $0.severity == .error }
        for problem in errors.prefix(20) { logger.warning("rules: \(problem)") }
        if errors.count > 20 { logger.warning("rules: \(errors.count - 20) more errors (moat rules lint)") }
        return engine
    }

    static func quarantine(_ config: MoatConfig) throws -> QuarantineStore {
        try QuarantineStore(directory: config.quarantine.directory, indexPath: config.quarantine.index)
    }

    static func relay(_ config: MoatConfig, logger: Logger) throws -> SMTPRelay {
        SMTPRelay(endpoint: try SMTPEndpoint(parsing: config.filter.reinject), heloName: config.filter.hostname,
                  logger: logger)
    }
}
