import MoatCore

/// The decisions the configuration makes for the filter: levels, destinies, who is local,
/// and how we name ourselves. Built once from `MoatConfig`.
public struct FilterPolicy: Sendable {
    public var levels: SpamLevels
    public var subjectTag: String
    public var spamDestiny: Destiny
    public var quarantineSpam: Bool
    public var virusDestiny: Destiny
    public var bannedDestiny: Destiny
    public var badHeaderDestiny: Destiny
    public var localDomains: LocalDomains
    public var hostname: String
    public var xHeaderLine: String
    public var policyBank: String
    /// Who gets virus and banned notices.
    public var admin: NoticeAdmin
    /// Sender of notices and DSNs.
    public var noticeFrom: EmailAddress
    /// Where the filter sits, which decides what bounce and reject mean.
    public var stage = Stage.gateway
    /// Prepend amavisd-new's Received header: behind Postfix only (the MX writes its own,
    /// smtpd's, before the filter runs).
    public var addsReceived: Bool { stage == .gateway }

    /// Where a message is when the filter judges it.
    public enum Stage: Sendable, Equatable {
        /// Behind Postfix (content_filter): destinies as configured.
        case gateway
        /// In the MX's SMTP dialogue, before the final reply: a bounce becomes a reject,
        /// so the sending server (not we) tells the sender, and forged senders get no
        /// backscatter (amavisd-new in pre-queue mode does the same).
        case beforeQueue
        /// From the MX's queue, after a 250: a reject becomes a bounce, since nobody is
        /// left to refuse to (the DSN logic still sends none for spam or to `<>`).
        case afterQueue
    }

    public init(config: MoatConfig) {
        levels = SpamLevels(tag: config.spam.tagLevel, tag2: config.spam.tag2Level, kill: config.spam.killLevel)
        subjectTag = config.spam.subjectTag
        spamDestiny = config.spam.destiny
        quarantineSpam = config.spam.quarantine
        virusDestiny = config.virus.destiny
        bannedDestiny = config.banned.destiny
        badHeaderDestiny = .pass
        localDomains = LocalDomains(config.filter.localDomains)
        hostname = config.filter.hostname
        xHeaderLine = config.filter.xHeaderLine
        policyBank = config.filter.policyBank
        admin = switch config.notify.admin {
        case nil: .address(EmailAddress(uncheckedLocalPart: "postmaster", domain: "localhost"))
        case let text?: EmailAddress(parsing: text).map(NoticeAdmin.address) ?? .nobody
        }
        noticeFrom = EmailAddress(parsing: config.notify.from) ?? EmailAddress(uncheckedLocalPart: "postmaster", domain: hostname)
    }

    /// The final destiny of a category (amavisd-new `$final_*_destiny`), as the stage allows.
    public func destiny(for category: ContentCategory) -> Destiny {
        let configured: Destiny = switch category {
        case .clean, .spammy: .pass
        case .badHeader: badHeaderDestiny
        case .spam: spamDestiny
        case .banned: bannedDestiny
        case .virus: virusDestiny
        }
        switch (stage, configured) {
        case (.beforeQueue, .bounce): return .reject
        case (.afterQueue, .reject): return .bounce
        default: return configured
        }
    }

    /// Categories kept in the quarantine (amavisd-new's `$virus_quarantine_to` etc.).
    public func quarantines(_ category: ContentCategory) -> Bool {
        switch category {
        case .virus, .banned: true
        case .spam: quarantineSpam
        default: false
        }
    }
}

/// amavisd-new's `@local_domains_maps`: `.` matches every domain, `.example.com` the
/// domain and its subdomains, `example.com` exactly that domain.
public struct LocalDomains: Sendable {
    private let exact: Set<String>
    private let suffixes: [String]
    private let everything: Bool

    public init(_ patterns: [String]) {
        var exact = Set<String>()
        var suffixes: [String] = []
        var everything = false
        for raw in patterns {
            let p = raw.lowercased()
            if p == "." { everything = true }
            else if p.hasPrefix(".") { suffixes.append(p); exact.insert(String(p.dropFirst())) }
            else { exact.insert(p) }
        }
        self.exact = exact
        self.suffixes = suffixes
        self.everything = everything
    }

    public func contains(_ address: EmailAddress) -> Bool {
        if everything { return true }
        let domain = address.domain.lowercased()
        return exact.contains(domain) || suffixes.contains { domain.hasSuffix($0) }
    }
}
