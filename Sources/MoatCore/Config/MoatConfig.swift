import Foundation

/// The whole configuration, one struct per `[section]` of `moat.toml`. Every key has a
/// default, so an empty file is a working configuration (the embedded default).
public struct MoatConfig: Sendable {
    public var filter = FilterSettings()
    public var spam = SpamSettings()
    public var virus = VirusSettings()
    public var banned = BannedSettings()
    public var quarantine = QuarantineSettings()
    public var notify = NotifySettings()
    public var log = LogSettings()
    public var dns = DNSSettings()
    public var bayes = BayesSettings()
    public var storage = StorageSettings()
    public var queue = QueueSettings()
    public var delivery = DeliverySettings()
    public var mx = MXSettings()
    public var service = ServiceSettings()
    public var limits = LimitsSettings()
    public var auth = AuthSettings()
    public var pop3 = POP3Settings()
    public var imap = IMAPSettings()
    /// The file, the line of each key and every resolved path.
    public var origin = ConfigOrigin()

    public init() {}

    /// Reads and validates a configuration file; throws `ConfigError` listing every
    /// problem with `file:line`. Relative paths in it are resolved against the file's own
    /// directory, once, here.
    public static func load(path: String) throws(ConfigError) -> MoatConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(issues: [ConfigIssue(file: path, line: 0, message: "cannot read: \(error.localizedDescription)")])
        }
        let base = ConfigPath.directory(of: path, workingDirectory: FileManager.default.currentDirectoryPath)
        return try parse(text, file: path, baseDirectory: base)
    }

    /// Parses configuration text; `file` names it in error messages. Relative paths are
    /// resolved against `baseDirectory` (absolute), or kept as written when it is nil.
    public static func parse(_ text: String, file: String, baseDirectory: String? = nil) throws(ConfigError) -> MoatConfig {
        let root: TOMLTable
        do {
            root = try TOMLParser.parse(text)
        } catch {
            throw ConfigError(issues: [ConfigIssue(file: file, line: error.line, message: error.message)])
        }
        var config = MoatConfig()
        var issues: [ConfigIssue] = []
        var sections: [ConfigSection] = []
        let recorder = ConfigRecorder(ConfigOrigin(file: file, baseDirectory: baseDirectory))
        func section(_ name: String) -> ConfigSection {
            let table: TOMLTable
            if case .table(let t)? = root[name]?.value { table = t } else { table = TOMLTable() }
            let s = ConfigSection(name: name, table: table, file: file, recorder: recorder)
            sections.append(s)
            return s
        }
        config.filter = FilterSettings(section("filter"))
        config.spam = SpamSettings(section("spam"))
        config.virus = VirusSettings(section("virus"))
        config.banned = BannedSettings(section("banned"))
        config.quarantine = QuarantineSettings(section("quarantine"))
        config.notify = NotifySettings(section("notify"))
        config.log = LogSettings(section("log"))
        config.dns = DNSSettings(section("dns"))
        config.bayes = BayesSettings(section("bayes"))
        config.storage = StorageSettings(section("storage"))
        config.queue = QueueSettings(section("queue"))
        config.delivery = DeliverySettings(section("delivery"))
        config.mx = MXSettings(section("mx"))
        config.service = ServiceSettings(section("service"))
        config.limits = LimitsSettings(section("limits"))
        config.auth = AuthSettings(section("auth"))
        config.pop3 = POP3Settings(section("pop3"))
        config.imap = IMAPSettings(section("imap"))
        config.origin = recorder.origin
        let known = Set(sections.map(\.name))
        for key in root.keys {
            guard let entry = root[key] else { continue }
            if !known.contains(key) {
                issues.append(ConfigIssue(file: file, line: entry.line, message: "unknown section [\(key)]"))
            } else if case .table = entry.value {
            } else {
                issues.append(ConfigIssue(file: file, line: entry.line, message: "'\(key)' must be a [section]"))
            }
        }
        for s in sections { issues += s.allIssues() }
        if !issues.isEmpty { throw ConfigError(issues: issues.sorted { $0.line < $1.line }) }
        return config
    }
}
