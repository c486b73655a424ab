import ArgumentParser
import Filter
import Foundation
import Logging
import MoatCore
import NIOSSL
import Policy
import Scanning
import SMTP
import SpamEngine

/// Everything `moat serve` builds from the configuration's content, built and checked by
/// one routine that `moat config check` runs too, so a configuration that passes the check
/// cannot fail start-up on its content. Each problem is a `ConfigIssue` at the line of the
/// key responsible, naming the path involved; all of them are reported at once.
///
/// Refused here, and nowhere silently accepted: rule paths that are missing or yield no
/// rules (GTUBE would pass as clean), antivirus with Moat's test signatures only (unless
/// `[virus] test_signatures_only`), directories Moat must write that this process cannot,
/// restriction lists and their access tables, banned-name patterns, the re-injection
/// endpoint, and a STARTTLS pair that does not load.
enum StartupValidation {
    /// What the parts are built for: `check` builds nothing that writes (no Bayes database
    /// is opened, no compiled-rule cache written), so running it as root on a production
    /// config leaves no root-owned file behind for the service user to trip over.
    /// A reload is stricter than start-up about the rules: a rule that does not compile is
    /// skipped at start-up (SpamAssassin's way, logged), but a reload refuses a new set
    /// with a rule error the running set did not have (`tolerating`: the running set's
    /// error messages), and keeps the running rules. Errors the running rules already had
    /// (a stock rule PCRE2 refuses) do not stop every reload.
    enum Purpose: Equatable {
        case serve, check
        case reload(tolerating: Set<String>)
    }

    /// The parts `serve` goes on with.
    struct Parts: Sendable {
        let scanner: any VirusScanner
        let checker: ContentChecker
        let reinject: SMTPEndpoint
        /// nil when `[mx] enabled = false`.
        let mx: MXParts?
        /// Rules loaded from `[spam] rules`, for the log.
        let ruleCount: Int
        /// The messages of the rule errors (rules skipped), which a reload may keep.
        let ruleErrors: Set<String>
    }

    struct MXParts: Sendable {
        let mynetworks: NetworkSet
        let restrictions: RestrictionPolicy
        /// nil when neither file of the pair exists (STARTTLS is then not offered).
        let tls: NIOSSLContext?
    }

    /// - Parameter reusing: a running scanner to keep instead of building one (a reload
    ///   whose `[virus]` settings did not change: its databases are reloaded in place).
    static func validate(_ config: MoatConfig, purpose: Purpose, reusing: (any VirusScanner)? = nil,
                         logger: Logger) throws(ConfigError) -> Parts {
        let origin = config.origin
        var issues: [ConfigIssue] = []
        let spam = Components.spamEngine(config, logger: logger, writesState: purpose != .check)
        issues += ruleIssues(config, loaded: spam.configuration)
        if case .reload(let tolerated) = purpose {
            issues += spam.ruleset.diagnostics.filter { $0.severity == .error && !tolerated.contains($0.message) }.map {
                ConfigIssue(file: $0.location.file, line: $0.location.line, message: "\($0.message) (moat rules lint)")
            }
        }
        let ruleErrors = Set(spam.ruleset.diagnostics.filter { $0.severity == .error }.map(\.message))
        issues += signatureIssues(config)
        for directory in writableDirectories(config) {
            if let problem = WritableDirectory.problem(directory.path) {
                issues.append(origin.issue(directory.section, directory.key, "\(directory.path): \(problem)"))
            }
        }

        var scanner = reusing
        if scanner == nil {
            do {
                scanner = try Components.virusScanner(config, logger: logger)
            } catch {
                let key = config.virus.engine == .clamd ? "clamd_socket" : "databases"
                issues.append(origin.issue("virus", key, "\(error)"))
            }
        }
        var checker: ContentChecker?
        if let scanner {
            do {
                checker = try Components.checker(config, scanner: scanner, spam: spam)
            } catch {
                issues.append(origin.issue("banned", "filenames", "\(error)"))
            }
        }
        var reinject: SMTPEndpoint?
        do {
            reinject = try SMTPEndpoint(parsing: config.filter.reinject)
        } catch {
            issues.append(origin.issue("filter", "reinject", "\(error)"))
        }
        var mx: MXParts?
        if config.mx.enabled {
            (mx, issues) = mxParts(config, logger: logger, issues: issues)
        }
        // mxParts appends an issue whenever it returns nil.
        guard issues.isEmpty, let scanner, let checker, let reinject else {
            throw ConfigError(issues: issues.sorted { $0.line < $1.line })
        }
        return Parts(scanner: scanner, checker: checker, reinject: reinject, mx: mx,
                     ruleCount: spam.configuration.rules.count, ruleErrors: ruleErrors)
    }

    /// Each rules path must exist and hold rule files, and together they must define rules:
    /// with none, every message scores 0 and GTUBE passes as clean.
    static func ruleIssues(_ config: MoatConfig, loaded: RuleConfiguration) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        for path in config.spam.rules {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                issues.append(config.origin.issue("spam", "rules", "\(path): no such file or directory"))
            } else if isDirectory.boolValue,
                      !((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).contains(where: { $0.hasSuffix(".cf") }) {
                issues.append(config.origin.issue("spam", "rules", "\(path): no rule files (*.cf) in this directory"))
            }
        }
        if issues.isEmpty, loaded.rules.isEmpty {
            let listed = config.spam.rules.isEmpty ? "an empty list" : config.spam.rules.joined(separator: ", ")
            issues.append(config.origin.issue(
                "spam", "rules", "no rules in \(listed): every message would score 0 (even GTUBE would pass)"))
        }
        return issues
    }

    /// libclamav with nothing but `Moat.Test.*` signatures finds no real virus: refused
    /// unless the configuration says that is what it wants.
    static func signatureIssues(_ config: MoatConfig) -> [ConfigIssue] {
        let virus = config.virus
        guard virus.engine == .libclamav, !virus.testSignaturesOnly,
              !ClamAVTestSignatures.hasRealDatabase(in: virus.databases) else { return [] }
        return [config.origin.issue(
            "virus", "databases",
            "no virus database besides Moat's test signatures (\(ClamAVTestSignatures.namePrefix)*) in "
                + "\(virus.databases.joined(separator: ", ")): run freshclam (apt install clamav-freshclam) so "
                + "/var/lib/clamav holds main.cvd and daily.cvd, or set test_signatures_only = true for a test setup")]
    }

    /// The directories Moat writes into, each with the key that places it.
    static func writableDirectories(_ config: MoatConfig) -> [ResolvedPath] {
        var seen = Set<String>()
        return StateLocation.all(config).filter { $0.inUse && seen.insert($0.directory).inserted }.map {
            ResolvedPath(section: $0.section, key: $0.key, path: $0.directory, line: config.origin.line($0.section, $0.key))
        }
    }

    /// The restriction lists with their access tables, and the STARTTLS pair.
    private static func mxParts(_ config: MoatConfig, logger: Logger, issues: [ConfigIssue]) -> (MXParts?, [ConfigIssue]) {
        var issues = issues
        let mx = config.mx
        let lists: [PolicyStage: [String]] = [
            .client: mx.restrictions.client, .helo: mx.restrictions.helo, .sender: mx.restrictions.sender,
            .relay: mx.restrictions.relay, .recipient: mx.restrictions.recipient, .data: mx.restrictions.data,
        ]
        var restrictions: RestrictionPolicy?
        var mynetworks: NetworkSet?
        do {
            let networks = try NetworkSet(mx.mynetworks)
            mynetworks = networks
            restrictions = try RestrictionPolicy(parsing: lists, mynetworks: networks)
        } catch let error as RestrictionParseError {
            issues.append(config.origin.issue("mx.restrictions", error.stage.rawValue, error.description))
        } catch {
            issues.append(config.origin.issue("mx", "mynetworks", "\(error)"))
        }
        var tls: NIOSSLContext?
        do {
            tls = try MXService.tlsContext(mx.tls, logger: logger)
        } catch {
            issues.append(config.origin.issue("mx.tls", error.key, error.description))
        }
        guard let restrictions, let mynetworks else { return (nil, issues) }
        return (MXParts(mynetworks: mynetworks, restrictions: restrictions, tls: tls), issues)
    }
}

/// Runs `StartupValidation` on a loaded configuration, or exits with every issue on stderr
/// (status 1), as `loadConfig` does for problems in the file's text.
func validatedParts(_ config: MoatConfig, purpose: StartupValidation.Purpose,
                    logger: Logger) throws -> StartupValidation.Parts {
    do {
        return try StartupValidation.validate(config, purpose: purpose, logger: logger)
    } catch {
        printError("\(lines: error.description.components(separatedBy: "\n"))")
        throw ExitCode(1)
    }
}
