import DNS
import Foundation
import Logging
import MIME
import MoatCore

/// What the rule engine needs from `moat.toml` besides the rule files.
public struct RuleEngineSettings: Sendable {
    /// Run DNSBL/URIBL rules (`[spam] use_network`); selects the network score sets.
    public var useNetwork: Bool
    /// Budget for all network lookups of one message (`[spam] dns_timeout`).
    public var dnsTimeout: Duration
    /// The resolver's settings (`[dns]`), used when `useNetwork`.
    public var dns: DNSSettings
    /// `[bayes]`; nil when Bayes is off.
    public var bayes: BayesSettings?

    public init(useNetwork: Bool = false, dnsTimeout: Duration = .seconds(5), dns: DNSSettings = DNSSettings(),
                bayes: BayesSettings? = nil) {
        self.useNetwork = useNetwork
        self.dnsTimeout = dnsTimeout
        self.dns = dns
        self.bayes = bayes
    }

    /// From the configuration sections; Bayes only when `[bayes] enabled`.
    public init(spam: SpamSettings, bayes: BayesSettings, dns: DNSSettings) {
        self.init(useNetwork: spam.useNetwork, dnsTimeout: spam.dnsTimeout, dns: dns,
                  bayes: bayes.enabled ? bayes : nil)
    }
}

/// Moat's spam checker: SpamAssassin-syntax rules compiled once and run natively on a
/// SpamAssassin-faithful view of each message. Immutable; reload builds a new one.
///
/// Per message: the DNS lookups of the network rules are started first, the local rules
/// run meanwhile, Bayes classifies, then the network and Bayes hits are added and the
/// metas run. As in SpamAssassin, the score set has Bayes on only while the Bayes
/// database is usable (enough ham and spam learned).
public final class RuleEngine: SpamChecker {
    /// One compiled ruleset with its deferred (network, Bayes) rules.
    struct Phase: Sendable {
        let ruleset: CompiledRuleset
        let network: NetworkEvals?
        let bayes: BayesEvals
    }

    /// The ruleset of the score set without Bayes (used whenever Bayes is not usable).
    public let ruleset: CompiledRuleset
    /// The ruleset of the score set with Bayes; nil when Bayes is off.
    public let bayesRuleset: CompiledRuleset?
    public let configuration: RuleConfiguration
    public let settings: RuleEngineSettings
    /// The Bayes filter; nil when Bayes is off or its database could not be opened.
    public let bayes: BayesFilter?
    /// Each user's own Bayes database (`[bayes] per_user`); nil when per-user Bayes is off.
    public let userBayes: BayesUserDatabases?
    /// The resolver of the network rules; nil when they do not run.
    public let resolver: (any Resolver)?
    /// Rules that call an eval function Moat does not implement (with the network rules
    /// Moat cannot run).
    public let unimplemented: [String]

    private let plain: Phase
    private let withBayes: Phase?
    private let logger: Logger
    private let pendingLearning = Locked<[Int: Task<Void, Never>]>([:])
    private let learnCounter = Locked(0)

    /// Loads and compiles the rule directories.
    /// - Parameters:
    ///   - cacheDirectory: keeps compiled prefilter databases between starts.
    ///   - resolver: the resolver for network rules; by default an `UnboundResolver` built
    ///     from `settings.dns` when `settings.useNetwork`.
    public init(directories: [String], settings: RuleEngineSettings, cacheDirectory: String? = nil,
                logger: Logger = Logger(label: "moat.spam"), resolver: (any Resolver)? = nil) {
        let config = RuleLoader.load(directories: directories, pluginsAvailable: RuleLoader.nativePlugins)
        self.configuration = config
        self.settings = settings
        self.logger = logger

        var resolved: (any Resolver)? = nil
        if settings.useNetwork {
            if let resolver {
                resolved = resolver
            } else {
                do {
                    resolved = try UnboundResolver(UnboundResolver.Configuration(settings.dns), logger: logger)
                } catch {
                    logger.error("spam: no DNS resolver (\(error)); network tests are off")
                }
            }
        }
        self.resolver = resolved
        let network = resolved != nil

        var filter: BayesFilter? = nil
        if let bayesSettings = settings.bayes {
            do {
                filter = try BayesFilter(settings: bayesSettings)
            } catch {
                logger.error("spam: Bayes database \(bayesSettings.database) unavailable: \(error)")
            }
        }
        self.bayes = filter
        userBayes = settings.bayes.flatMap { $0.perUser ? BayesUserDatabases(settings: $0) : nil }

        let registry = Self.registry(config, network: network)
        let psl = network ? Self.publicSuffixList(directories: directories, logger: logger) : nil
        func phase(bayes: Bool) -> Phase {
            let ruleset = CompiledRuleset(config, evals: registry, scoreSet: ScoreSet(bayes: bayes, network: network),
                                          cacheDirectory: cacheDirectory)
            let net = network ? NetworkEvals(ruleset: ruleset, config: config, publicSuffixes: psl, logger: logger) : nil
            return Phase(ruleset: ruleset, network: net, bayes: BayesEvals(ruleset: ruleset))
        }
        plain = phase(bayes: false)
        withBayes = settings.bayes != nil ? phase(bayes: true) : nil
        ruleset = plain.ruleset
        bayesRuleset = withBayes?.ruleset
        var unimplemented = Set(plain.ruleset.unimplemented).union(plain.network?.unsupported ?? [])
        if let withBayes { unimplemented.formUnion(withBayes.ruleset.unimplemented + (withBayes.network?.unsupported ?? [])) }
        self.unimplemented = unimplemented.sorted()
    }

    /// Every eval function the engine runs: the local ones, plus the network and Bayes
    /// functions whose hits arrive after the local phase.
    public static func registry(_ config: RuleConfiguration, network: Bool) -> EvalRegistry {
        var registry = EvalRegistry.standard(config)
        if network { registry.registerDeferred(NetworkEvals.functions) }
        registry.registerDeferred(BayesEvals.functions)
        return registry
    }

    /// The former form: one fixed score set, no network lookups, no Bayes.
    public convenience init(directories: [String], scoreSet: ScoreSet, cacheDirectory: String? = nil) {
        self.init(directories: directories, settings: RuleEngineSettings(useNetwork: false),
                  cacheDirectory: cacheDirectory, fixedScoreSet: scoreSet)
    }

    private init(directories: [String], settings: RuleEngineSettings, cacheDirectory: String?, fixedScoreSet: ScoreSet) {
        let config = RuleLoader.load(directories: directories, pluginsAvailable: RuleLoader.nativePlugins)
        configuration = config
        self.settings = settings
        logger = Logger(label: "moat.spam")
        bayes = nil
        userBayes = nil
        resolver = nil
        let ruleset = CompiledRuleset(config, evals: .standard(config), scoreSet: fixedScoreSet, cacheDirectory: cacheDirectory)
        plain = Phase(ruleset: ruleset, network: nil, bayes: BayesEvals(ruleset: ruleset))
        withBayes = nil
        self.ruleset = ruleset
        bayesRuleset = nil
        unimplemented = ruleset.unimplemented
    }

    /// Everything one scan found.
    public struct Result: Sendable {
        public var verdict: SpamVerdict
        /// Every rule hit, sub-rules included, indexed like `ruleset`.
        public var hits: RuleHits
        /// The ruleset the hits belong to (`ruleset` or `bayesRuleset`).
        public var ruleset: CompiledRuleset
        public var scoreSet: ScoreSet
        /// Bayes' spam probability; nil when Bayes is off, unusable or had no opinion.
        public var bayesProbability: Double?
        public var networkHits: [NetworkHit]
    }

    public func check(_ message: MIMEMessage, envelopeSender: String?) async throws -> SpamVerdict {
        await scan(message, envelopeSender: envelopeSender).verdict
    }

    public func check(_ message: MIMEMessage, envelopeSender: String?, users: [String]) async throws -> SpamVerdict {
        await scan(message, envelopeSender: envelopeSender, users: users).verdict
    }

    /// Scores a message: network lookups started first, local rules, Bayes, then metas;
    /// autolearn (when on) is decided here and done in the background.
    /// - Parameters:
    ///   - envelopeSender: SMTP `MAIL FROM` when known (the `EnvelopeFrom` pseudo-header).
    ///   - users: the final recipients, for `[bayes] per_user` (see ``BayesDatabaseSelection``).
    public func scan(_ message: MIMEMessage, envelopeSender: String? = nil, users: [String] = []) async -> Result {
        let (bayes, choice) = bayesDatabase(for: users)
        let phase = bayesUsable(bayes) ? withBayes! : plain
        let subject = SAMessage(message, envelopeFrom: envelopeSender, trust: phase.ruleset.trust)
        let lookups: Task<[NetworkHit], Never>? = if let resolver, let network = phase.network, !network.isEmpty {
            network.start(subject, resolver: resolver, budget: settings.dnsTimeout)
        } else {
            nil
        }
        let local = phase.ruleset.evaluateLocal(subject)
        var extra: [String: Int] = [:]
        var probability: Double? = nil
        if phase.ruleset === bayesRuleset, let bayes, !phase.bayes.bands.isEmpty {
            do {
                if let result = try bayes.classify(BayesMessageAdapter.input(from: subject),
                                                   atime: BayesMessageAdapter.receiveTime(message)) {
                    probability = result.probability
                    extra.merge(phase.bayes.hits(probability: result.probability)) { a, _ in a }
                }
            } catch {
                logger.warning("spam: Bayes classification failed: \(error)")
            }
        }
        var networkHits: [NetworkHit] = []
        if let lookups {
            networkHits = await lookups.value
            for hit in networkHits { extra[hit.rule] = 1 }
        }
        let hits = phase.ruleset.finish(local, adding: extra)
        var verdict = phase.ruleset.verdict(hits)
        if probability != nil, case .user(let user) = choice {
            verdict = SpamVerdict(hits: verdict.hits + [SpamVerdict.Hit(
                name: BayesDatabaseChoice.userRule, score: 0, description: "Bayes answered from \(user)'s own database")])
        }
        verdict.autolearn = autolearn(message, verdict: verdict, into: bayes)
        return Result(verdict: verdict, hits: hits, ruleset: phase.ruleset,
                      scoreSet: ScoreSet(bayes: phase.ruleset === bayesRuleset, network: resolver != nil),
                      bayesProbability: probability, networkHits: networkHits)
    }

    /// The verdict plus every rule hit, sub-rules included (comparison, `--explain`): the
    /// local rules only (no network lookups, no Bayes, no autolearn).
    public func analyze(_ message: MIMEMessage, envelopeSender: String? = nil) -> (verdict: SpamVerdict, hits: RuleHits) {
        let hits = ruleset.evaluate(SAMessage(message, envelopeFrom: envelopeSender, trust: ruleset.trust))
        return (ruleset.verdict(hits), hits)
    }

    /// Waits until the background learning started by earlier scans is done, then (with
    /// `expiring`) expires tokens beyond `[bayes] max_tokens`.
    public func waitForAutolearn(expiring: Bool = true) async {
        let tasks = pendingLearning.withLock { Array($0.values) }
        for task in tasks { await task.value }
        if expiring, let bayes, let maxTokens = settings.bayes?.maxTokens {
            do {
                try bayes.store.expire(keepingAtMost: maxTokens)
            } catch {
                logger.warning("spam: Bayes expiry failed: \(error)")
            }
        }
    }

    /// Autolearned messages between two expiry checks (each check counts the tokens), so
    /// the database exceeds `[bayes] max_tokens` by the tokens of at most this many messages.
    public static let expiryCheckInterval = 32

    // MARK: Bayes

    /// The database that classifies a message for `users` and learns from it: the one
    /// user's own when per-user Bayes is on and it has learned enough, else the site's.
    func bayesDatabase(for users: [String]) -> (BayesFilter?, BayesDatabaseChoice) {
        guard let userBayes, let siteSettings = settings.bayes else { return (bayes, .site(.perUserOff)) }
        var opened: BayesFilter? = nil
        let choice = BayesDatabaseSelection(siteSettings).choose(users: users) { user in
            opened = try userBayes.existingFilter(for: user)
            return try opened?.store.messageCounts()
        }
        if case .user = choice, let opened { return (opened, choice) }
        if case .site(.userUnavailable(let user, let reason)) = choice {
            logger.warning("spam: Bayes database of \(user) unreadable (\(reason)); classifying with the site's")
        }
        return (bayes, choice)
    }

    /// SpamAssassin's `is_scan_available`: at least `min_spam` spam and `min_ham` ham learned.
    private func bayesUsable(_ bayes: BayesFilter?) -> Bool {
        guard let bayes, withBayes != nil else { return false }
        do {
            let (nspam, nham) = try bayes.store.messageCounts()
            return nspam >= bayes.classifier.minSpam && nham >= bayes.classifier.minHam
        } catch {
            logger.warning("spam: Bayes database unreadable: \(error)")
            return false
        }
    }

    /// Decides autolearn (`Plugin::AutoLearnThreshold`) and starts the learning in the
    /// background; returns SpamAssassin's `autolearn=` word.
    private func autolearn(_ message: MIMEMessage, verdict: SpamVerdict, into bayes: BayesFilter?) -> String? {
        guard let bayesSettings = settings.bayes, bayesSettings.autolearn else {
            return settings.bayes == nil ? nil : "disabled"
        }
        // Nobody waits for this verdict any more (the MX's filter budget ran out): learn nothing.
        if Task.isCancelled { return "no" }
        guard let bayes else { return "unavailable" }
        let points = AutolearnPoints(verdict: verdict, config: configuration, network: resolver != nil)
        let decision = BayesAutolearn(thresholdHam: bayesSettings.autolearnThresholdHam,
                                      thresholdSpam: bayesSettings.autolearnThresholdSpam)
            .decide(score: points.score, headPoints: points.head, bodyPoints: points.body,
                    learnedPoints: points.learned, isSpam: verdict.score >= ruleset.requiredScore,
                    forced: points.forced)
        let isSpam: Bool
        switch decision {
        case .spam: isSpam = true
        case .ham: isSpam = false
        case .no: return "no"
        }
        let bytes = message.bytes
        let key = learnCounter.withLock { n -> Int in n += 1; return n }
        let logger = logger
        let pending = pendingLearning
        let expiry = key % Self.expiryCheckInterval == 0 ? bayesSettings.maxTokens : nil
        // Registered under the lock the task takes to unregister itself, so a quick task
        // cannot unregister before it is registered.
        pending.withLock { tasks in
            tasks[key] = Task.detached(priority: .background) {
                do {
                    try bayes.learn(bytes, isSpam: isSpam)
                    if let expiry { try bayes.store.expire(keepingAtMost: expiry) }
                } catch {
                    logger.warning("spam: Bayes autolearn failed: \(error)")
                }
                _ = pending.withLock { $0.removeValue(forKey: key) }
            }
        }
        return isSpam ? "spam" : "ham"
    }

    // MARK: network

    /// `data/public_suffix_list.dat` in the first rule directory that has one (Moat's own
    /// `Rules` directory last).
    static func publicSuffixList(directories: [String], logger: Logger) -> PublicSuffixList? {
        for directory in directories + ["Rules"] {
            let path = (directory as NSString).appendingPathComponent("data/public_suffix_list.dat")
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                return try PublicSuffixList(contentsOfFile: path)
            } catch {
                logger.warning("spam: \(path): \(error)")
            }
        }
        return nil
    }
}
