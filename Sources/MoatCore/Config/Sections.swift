import Foundation

/// `[filter]`: the content-filter listener (Postfix `content_filter` target) and re-injection.
public struct FilterSettings: Sendable {
    /// `host:port` for SMTP, `lmtp:host:port` for LMTP.
    public var listen = "127.0.0.1:10024"
    /// Where passed mail goes back to Postfix.
    public var reinject = "127.0.0.1:10025"
    /// Recipient domains that get spam headers and tagging; `"."` matches every domain,
    /// a leading `.` matches subdomains too (`.example.com`), as amavisd-new's `@local_domains_maps`.
    public var localDomains = ["."]
    /// The value of `X-Virus-Scanned`.
    public var xHeaderLine = "Moat at \(FilterSettings.systemHostname)"
    /// Our name in the Received header, notifications and the SMTP greeting.
    public var hostname = FilterSettings.systemHostname
    /// Largest message accepted (SIZE), in bytes; 0 = no limit.
    public var maxMessageSize = 100 << 20
    public var maxRecipients = 1000
    /// Concurrent sessions; further connections get `421 4.3.2`.
    public var maxConnections = 64
    /// Idle time allowed between commands (amavisd-new: `$smtpd_timeout` 8 min).
    public var idleTimeout: Duration = .seconds(480)
    /// Stress timeout, DATA rate, session cap; the connection rate limit is off (the filter
    /// faces only Postfix).
    public var guards = ListenerGuardSettings()
    /// Clients that may connect (amavisd-new's `@inet_acl`); others get 554 before the greeting.
    public var allow = ["127.0.0.0/8", "::1"]
    /// The amavisd-new policy bank name shown in the log line.
    public var policyBank = "RelayedInbound"

    public init() {}

    init(_ s: ConfigSection) {
        listen = s.string("listen", default: listen)
        reinject = s.string("reinject", default: reinject)
        localDomains = s.strings("local_domains", default: localDomains)
        hostname = s.string("hostname", default: hostname)
        xHeaderLine = s.string("x_header_line", default: "Moat at \(hostname)")
        maxMessageSize = s.byteSize("max_message_size", default: maxMessageSize)
        maxRecipients = s.int("max_recipients", default: maxRecipients, range: 1...100_000)
        maxConnections = s.int("max_connections", default: maxConnections, range: 1...10_000)
        idleTimeout = s.duration("idle_timeout", default: idleTimeout)
        guards = ListenerGuardSettings(s, defaults: guards)
        allow = s.strings("allow", default: allow)
        policyBank = s.string("policy_bank", default: policyBank)
        for (key, value) in [("listen", listen), ("reinject", reinject)] {
            if let problem = EndpointText.problem(value, allowLMTP: key == "listen") { s.report(key, problem) }
        }
        checkExposure(s)
    }

    /// The filter re-injects whatever it is given into Postfix's trusted 10025: listening
    /// beyond loopback is for a site that runs filter nodes on other hosts on purpose, which
    /// it shows by naming their networks in `allow` (never everyone).
    private func checkExposure(_ s: ConfigSection) {
        let networks: NetworkSet
        do {
            networks = try NetworkSet(allow)
        } catch {
            return s.report("allow", "\(error)")
        }
        guard let endpoint = try? EndpointText(parsing: listen), !Self.isLoopback(endpoint.host) else { return }
        if !s.has("allow") {
            s.report("listen", "'\(listen)' is reachable beyond loopback: set [filter] allow to the networks "
                     + "of the hosts that hand mail to this filter (the default admits loopback only)")
        } else if case let reach = NetworkReach(networks), reach.extent >= .wide {
            // The union, as for mynetworks: two /1s admit everyone as surely as one /0; and
            // the hosts that feed a filter are never more than a site's own networks.
            s.report("allow", "[\(allow.joined(separator: ", "))] admits \(reach.summary) to a listener on "
                     + "'\(listen)': name the networks of the hosts that hand mail to this filter")
        }
    }

    private static let loopback = NetworkSet(validEntriesOf: [], includeLoopback: true)

    private static func isLoopback(_ host: String) -> Bool {
        host.lowercased() == "localhost" || loopback.contains(host)
    }

    static var systemHostname: String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count) == 0 else { return "localhost" }
        let name = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}

/// `[spam]`: amavisd-new's score levels and the spam destiny.
public struct SpamSettings: Sendable, Equatable {
    /// X-Spam-* headers at or above this score (amavisd-new `$sa_tag_level_deflt`).
    public var tagLevel = 2.0
    /// Spam flag, `X-Spam-Status: Yes` and the subject tag at or above (`$sa_tag2_level_deflt`).
    public var tag2Level = 6.31
    /// The spam destiny and quarantine apply at or above (`$sa_kill_level_deflt`).
    public var killLevel = 6.31
    public var subjectTag = "***SPAM*** "
    public var destiny = Destiny.pass
    /// Quarantine spam at kill level (amavisd-new `$spam_quarantine_to`).
    public var quarantine = true
    /// Rule directories (SpamAssassin `.cf` files), read in order; later files override.
    public var rules = ["Rules", "Rules/scores"]
    /// Whether SpamAssassin's installed rules are loaded before `rules`.
    public var spamassassinRules = SpamAssassinRules.Use.auto
    /// SpamAssassin's rule directories found at load (empty with `off` or without them).
    public var spamassassinDirectories: [String] = []
    /// Every rule directory in load order: SpamAssassin's, then `rules`.
    public var ruleDirectories: [String] { spamassassinDirectories + rules }
    /// SpamAssassin's spam/ham line, as `moat scan` reports it (`required_score`).
    public var requiredScore = 5.0
    /// DNSBL/URIBL tests; off uses SpamAssassin's non-network score set.
    public var useNetwork = true
    /// Time budget for all network tests of one message.
    public var dnsTimeout: Duration = .seconds(5)
    /// Compiled rule databases kept between starts (rebuilt when the rules change).
    public var cacheDirectory = "var/cache"

    public init() {}

    init(_ s: ConfigSection, places: SpamAssassinRules.Places = SpamAssassinRules.Places()) {
        rules = s.paths("rules", default: rules)
        spamassassinRules = s.choice("spamassassin_rules", default: spamassassinRules)
        if spamassassinRules != .off {
            spamassassinDirectories = SpamAssassinRules(places).directories
            if spamassassinRules == .required, spamassassinDirectories.isEmpty {
                s.report("spamassassin_rules", "no SpamAssassin rules in \(places.updates)/<version>, \(places.packaged) (apt-get install spamassassin), or set \"auto\" or \"off\"")
            }
        }
        requiredScore = s.double("required_score", default: requiredScore)
        useNetwork = s.bool("use_network", default: useNetwork)
        dnsTimeout = s.duration("dns_timeout", default: dnsTimeout)
        cacheDirectory = s.path("cache_directory", default: cacheDirectory)
        tagLevel = s.double("tag_level", default: tagLevel)
        tag2Level = s.double("tag2_level", default: tag2Level)
        killLevel = s.double("kill_level", default: killLevel)
        subjectTag = s.string("subject_tag", default: subjectTag)
        destiny = s.choice("destiny", default: destiny)
        quarantine = s.bool("quarantine", default: quarantine)
        if tag2Level < tagLevel { s.report("tag2_level", "must not be below tag_level (\(tagLevel))") }
    }
}

/// `[virus]`: the antivirus engine and the virus destiny.
public struct VirusSettings: Sendable, Equatable {
    public enum Engine: String, Sendable, CaseIterable { case libclamav, clamd }
    public var destiny = Destiny.discard
    public var engine = Engine.libclamav
    /// Signature databases (directories or files) for libclamav; missing ones are skipped.
    public var databases = ["/var/lib/clamav", "Rules/clamav"]
    /// Consent to scan with Moat's own test signatures (`Rules/clamav`) alone: for the
    /// repository's development config and tests. Otherwise start-up needs a real database
    /// (freshclam's, or any other signature file) among `databases`.
    public var testSignaturesOnly = false
    /// `unix:/run/clamav/clamd.ctl` or `tcp:127.0.0.1:3310`, for `engine = "clamd"`.
    public var clamdSocket = "unix:/run/clamav/clamd.ctl"
    /// libclamav limits, as clamd.conf's MaxScanSize, MaxFileSize, MaxRecursion, MaxFiles, MaxScanTime.
    public var maxScanSize = 100 << 20
    public var maxFileSize = 25 << 20
    public var maxRecursion = 17
    public var maxFiles = 10_000
    public var maxScanTime: Duration = .seconds(120)
    /// How often the database directories are checked for a freshclam update.
    public var reloadCheckInterval: Duration = .seconds(60)

    public init() {}

    init(_ s: ConfigSection) {
        destiny = s.choice("destiny", default: destiny)
        engine = s.choice("engine", default: engine)
        databases = s.paths("databases", default: databases)
        testSignaturesOnly = s.bool("test_signatures_only", default: testSignaturesOnly)
        clamdSocket = s.string("clamd_socket", default: clamdSocket)
        if clamdSocket.hasPrefix("unix:") { clamdSocket = "unix:" + s.resolved("clamd_socket", String(clamdSocket.dropFirst(5))) }
        maxScanSize = s.byteSize("max_scan_size", default: maxScanSize)
        maxFileSize = s.byteSize("max_file_size", default: maxFileSize)
        maxRecursion = s.int("max_recursion", default: maxRecursion, range: 1...100)
        maxFiles = s.int("max_files", default: maxFiles, range: 1...1_000_000)
        maxScanTime = s.duration("max_scan_time", default: maxScanTime)
        reloadCheckInterval = s.duration("reload_check_interval", default: reloadCheckInterval)
        if destiny == .pass { s.report("destiny", "pass would deliver viruses; use discard, bounce or reject") }
    }
}

/// `[banned]`: forbidden attachment names and types.
public struct BannedSettings: Sendable {
    /// What happens to mail with a part no check could look into (encrypted archive,
    /// archive over a ClamAV limit, archive libclamav cannot unpack).
    public enum UndecipherableAction: String, Sendable, CaseIterable {
        /// Deliver, with the note in the log line and an `X-Amavis-Alert: UNCHECKED` header.
        case pass
        /// Treat as banned (amavisd-new's `$banned_namepath` rule `^UNDECIPHERABLE$`).
        case banned
    }

    public var destiny = Destiny.bounce
    /// PCRE patterns matched against every attachment name (and names inside archives).
    public var filenames = [#"(?i)\.(exe|scr|pif|bat|cmd|com|vbs|js)$"#]
    /// Archive nesting depth whose member names are checked; nil: `[virus] max_recursion`.
    public var maxDepth: Int?
    /// amavisd-new ships its `^UNDECIPHERABLE$` banned rule commented out: encrypted zips
    /// are everyday business mail (payslips, contracts), and banning them by default
    /// would bounce those. So the default passes them, but never silently: the log line
    /// and a header say what could not be checked, and `banned` is one setting away.
    public var undecipherable = UndecipherableAction.pass

    public init() {}

    init(_ s: ConfigSection) {
        destiny = s.choice("destiny", default: destiny)
        filenames = s.strings("filenames", default: filenames)
        let depth = s.int("max_depth", default: 0, range: 0...100)
        maxDepth = depth == 0 ? nil : depth
        undecipherable = s.choice("undecipherable", default: undecipherable)
    }
}

/// `[quarantine]`: where blocked mail is kept, and for how long.
public struct QuarantineSettings: Sendable, Equatable {
    public var directory = "Quarantine"
    public var index = "var/quarantine.sqlite"
    /// `moat serve` deletes what was quarantined longer ago than this (amavisd-new leaves
    /// it to a cron job; 30 days is the customary retention); nil keeps mail forever.
    public var maxAge: Duration? = .seconds(30 * 86_400)
    /// How often the running server purges: at start-up, then once per interval.
    public var purgeInterval: Duration = .seconds(86_400)

    public init() {}

    init(_ s: ConfigSection) {
        directory = s.path("directory", default: directory)
        index = s.path("index", default: index)
        let age = s.duration("max_age", default: maxAge ?? .zero)
        maxAge = age == .zero ? nil : age
        purgeInterval = s.duration("purge_interval", default: purgeInterval)
        if purgeInterval < .seconds(1) { s.report("purge_interval", "must be at least 1s") }
    }
}

/// `[notify]`: administrator notices, as amavisd-new's `$virus_admin` / `$banned_admin`.
public struct NotifySettings: Sendable {
    /// Recipient of virus and banned-file notices; empty disables them. Unset (nil): in the
    /// gateway `postmaster@localhost` (Postfix's local postmaster), in the MX postmaster@
    /// the first local domain, looked up when a notice goes out.
    public var admin: String?
    /// Envelope and header sender of notices and DSNs.
    public var from = "postmaster@localhost"

    public init() {}

    init(_ s: ConfigSection) {
        admin = s.optionalString("admin")
        from = s.string("from", default: from)
        for (key, value) in [("admin", admin ?? ""), ("from", from)] where !value.isEmpty {
            if EmailAddress(parsing: value) == nil { s.report(key, "'\(value)' is not an email address") }
        }
    }
}

/// `[log]`: where the summary lines and diagnostics of `moat serve` go (the other
/// subcommands always write theirs to standard error, beside their output).
public struct LogSettings: Sendable, Equatable {
    public enum Level: String, Sendable, CaseIterable { case trace, debug, info, notice, warning, error, critical }
    public var level = Level.info
    /// `stderr` (the journal under systemd), `syslog` (/dev/log, as Postfix and amavisd-new
    /// log), `syslog:SOCKET`, or a file reopened on SIGUSR1.
    public var destination = LogDestination.standardError
    /// The syslog facility; `mail`, as Postfix's `syslog_facility` and amavisd-new's
    /// `$syslog_facility` default, lands in /var/log/mail.log.
    public var facility = SyslogFacility.mail

    public init() {}

    init(_ s: ConfigSection) {
        level = s.choice("level", default: level)
        facility = s.choice("facility", default: facility)
        let text = s.string("destination", default: destination.description)
        if let parsed = LogDestination(parsing: text) {
            // A file or another syslog socket is a path like any other: relative to this file.
            switch parsed {
            case .file(let path): destination = .file(path: s.resolved("destination", path))
            case .syslog(let socket) where text != "syslog": destination = .syslog(socket: s.resolved("destination", socket))
            default: destination = parsed
            }
        } else {
            s.report("destination", "'\(text)' is not \"stderr\", \"syslog\", \"syslog:SOCKET\" or a file path")
        }
    }
}

/// `[storage]`: where Moat keeps its state when it is the whole MX (issue 4): the queue, the
/// directory database and the mailboxes, each under `data_dir` unless given a path of its own.
public struct StorageSettings: Sendable, Equatable {
    public var dataDir = "var"

    public init() {}

    init(_ s: ConfigSection) {
        dataDir = s.path("data_dir", default: dataDir)
        if dataDir.isEmpty { s.report("data_dir", "must not be empty") }
    }

    /// The directory database (domains, mailboxes, aliases).
    public var directoryDatabase: String { dataDir + "/directory.sqlite" }
    /// Maildir root: `<mail>/<domain>/<user>/Maildir`.
    public var mailRoot: String { dataDir + "/mail" }
    /// The durable queue.
    public var queueDirectory: String { dataDir + "/queue" }
    /// `moat serve`'s process ID, for `moat reload` (Postfix keeps its master's pid in the
    /// queue directory, amavisd-new in its home).
    public var pidFile: String { dataDir + "/moat.pid" }
}
