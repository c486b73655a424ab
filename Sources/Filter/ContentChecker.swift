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
    /// - Parameter envelopeSender: SMTP `MAIL FROM` when known (the gateway knows it).
    public func check(_ message: MIMEMessage, envelopeSender: String? = nil) async throws -> ContentReport {
        let bytes = message.bytes
        var report = ContentReport()
        let leaves = message.leaves.map {
            ScanItem(name: $0.filename, declaredType: $0.contentType.mimeType, bytes: $0.decodedBody())
        }
        // What the scanner unpacked from each leaf, for the banned-name checks.
        var contents = [ScanResult?](repeating: nil, count: leaves.count)
        if let virusScanner {
            // libclamav parses MIME itself from the whole message; the decoded leaves are
            // scanned too so a part it cannot parse is still seen, and so each archive's
            // members come back named from the attachment down.
            var names = try await virusScanner.scan(bytes, name: nil)
            if names.isEmpty {
                for (index, item) in leaves.enumerated() where !item.bytes.isEmpty {
                    let result = try await virusScanner.inspect(item.bytes, name: item.name)
                    contents[index] = result
                    names = result.virusNames
                    if !names.isEmpty { break }
                }
            }
            report.virusNames = Self.unique(names)
        }
        if let banned {
            report.bannedNames = Self.unique(zip(leaves, contents).flatMap { banned.check($0, contents: $1) })
            report.undecipherable = Self.unique(zip(leaves, contents).flatMap { banned.undecipherable($0, contents: $1) })
            if undecipherable == .banned { report.bannedNames += report.undecipherable }
        }
        report.badHeaders = HeaderSanity.problems(in: message)
        report.spam = try await spam.check(message, envelopeSender: envelopeSender)
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
