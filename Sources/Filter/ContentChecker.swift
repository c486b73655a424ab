import Foundation
import MIME
import MoatCore
import Scanning
import SpamEngine

/// Runs every check on one message: the virus scanner on the whole message and on each
/// decoded MIME leaf, the banned-file policy on each leaf, header sanity and the spam
/// checker, and ranks the result. Used by the gateway and by `moat scan` alike.
public struct ContentChecker: Sendable {
    public var virusScanner: (any VirusScanner)?
    public var banned: BannedFilePolicy?
    /// What undecipherable parts (encrypted or oversized archives, ...) make of a message.
    public var undecipherable: BannedSettings.UndecipherableAction
    public var spam: any SpamChecker
    public var levels: SpamLevels
    /// Bounds the checks running at once across the process (`moat serve`); nil = unbounded.
    public var slots: ContentCheckSlots?
    /// The users a message's recipients are, for per-user Bayes; nil when it is off.
    public var bayesUsers: (any BayesRecipientUsers)?

    public init(virusScanner: (any VirusScanner)?, banned: BannedFilePolicy?,
                undecipherable: BannedSettings.UndecipherableAction = .pass, spam: any SpamChecker, levels: SpamLevels) {
        self.virusScanner = virusScanner
        self.banned = banned
        self.undecipherable = undecipherable
        self.spam = spam
        self.levels = levels
    }

    /// Throws when a scanner failed: the message must then be tempfailed, never passed unscanned.
    public func check(_ bytes: [UInt8]) async throws -> ContentReport {
        try await check(MIMEMessage.parse(bytes))
    }

    /// As `check(_:)` for a message the caller has parsed already.
    /// - Parameters:
    ///   - envelopeSender: SMTP `MAIL FROM` when known (the gateway knows it).
    ///   - recipients: SMTP `RCPT TO`s when known, for per-user Bayes.
    public func check(_ message: MIMEMessage, envelopeSender: String? = nil,
                      recipients: [EmailAddress] = []) async throws -> ContentReport {
        guard let slots else { return try await checkNow(message, envelopeSender: envelopeSender, recipients: recipients) }
        return try await slots.run { try await checkNow(message, envelopeSender: envelopeSender, recipients: recipients) }
    }

    private func checkNow(_ message: MIMEMessage, envelopeSender: String?, recipients: [EmailAddress]) async throws -> ContentReport {
        var report = ContentReport()
        // libclamav parses MIME itself from the whole message; each decoded leaf is scanned
        // too, so a part it cannot parse is still seen and each archive's members come back
        // named from the attachment down. One decoded leaf at a time: a message's
        // attachments are never all decoded at once.
        var virusNames = try await virusScanner?.scan(message.bytes, name: nil) ?? []
        var bannedNames: [String] = []
        var undecipherableParts: [String] = []
        for leaf in message.leaves {
            let scansLeaf = virusScanner != nil && virusNames.isEmpty
            guard scansLeaf || banned != nil else { break }
            let item = ScanItem(name: leaf.filename, declaredType: leaf.contentType.mimeType, bytes: leaf.decodedBody())
            var contents: ScanResult?
            if scansLeaf, let virusScanner, !item.bytes.isEmpty {
                let result = try await virusScanner.inspect(item.bytes, name: item.name)
                contents = result
                virusNames = result.virusNames
            }
            if let banned {
                bannedNames += banned.check(item, contents: contents)
                undecipherableParts += banned.undecipherable(item, contents: contents)
            }
        }
        report.virusNames = Self.unique(virusNames)
        report.bannedNames = Self.unique(bannedNames)
        report.undecipherable = Self.unique(undecipherableParts)
        if undecipherable == .banned { report.bannedNames += report.undecipherable }
        report.badHeaders = HeaderSanity.problems(in: message)
        let users = await bayesUsers?.users(for: recipients) ?? []
        report.spam = try await spam.check(message, envelopeSender: envelopeSender, users: users)
        report.category = categorize(report)
        return report
    }

    func categorize(_ report: ContentReport) -> ContentCategory {
        if !report.virusNames.isEmpty { return .virus }
        if !report.bannedNames.isEmpty { return .banned }
        if report.spam.score >= levels.kill { return .spam }
        if report.spam.score >= levels.tag2 { return .spammy }
        if !report.badHeaders.isEmpty { return .badHeader }
        return .clean
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}

/// amavisd-new's three score levels.
public struct SpamLevels: Sendable {
    public var tag: Double
    public var tag2: Double
    public var kill: Double

    public init(tag: Double, tag2: Double, kill: Double) {
        self.tag = tag
        self.tag2 = tag2
        self.kill = kill
    }
}
