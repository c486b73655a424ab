import Foundation
import Logging
import MoatCore
import Quarantine
import SMTP

/// Sends a quarantined message back the way it came, as an admin decided: in the gateway
/// to Postfix's re-injection port, in the MX into Moat's own queue for delivery. Either
/// way it is not filtered again (the release is the verdict), and every release is
/// recorded in the index and logged. Library code, so a web page or a digest's link can
/// release as `moat quarantine release` does.
public struct QuarantineReleaser: Sendable {
    public let store: QuarantineStore
    /// The relay for an entry's origin, built when a release needs it: `.gateway` the
    /// re-injection port, `.mx` Moat's queue (which a gateway-only setup has none of).
    private let route: @Sendable (QuarantineOrigin) throws -> any MessageRelay
    private let logger: Logger

    public init(store: QuarantineStore, logger: Logger,
                route: @escaping @Sendable (QuarantineOrigin) throws -> any MessageRelay) {
        self.store = store
        self.route = route
        self.logger = logger
    }

    /// Releases gateway messages through `gateway` and MX messages through `queue`.
    public init(store: QuarantineStore, gateway: any MessageRelay, queue: any MessageRelay, logger: Logger) {
        self.init(store: store, logger: logger) { $0 == .mx ? queue : gateway }
    }

    public struct Request: Sendable {
        /// The `MailID`, bare or as the logs print it (`virus-Ab3…`); `release` looks it up.
        public var reference: String
        /// Other recipients than the quarantined ones; empty for the original recipients.
        public var recipients: [EmailAddress]
        /// Release a virus, or a message released before (to these recipients).
        public var force: Bool
        /// Who asks (a login name), for the record.
        public var releasedBy: String

        public init(reference: String, recipients: [EmailAddress] = [], force: Bool = false, releasedBy: String) {
            self.reference = reference
            self.recipients = recipients
            self.force = force
            self.releasedBy = releasedBy
        }
    }

    /// Why nothing was released.
    public enum Refusal: Error, Sendable, CustomStringConvertible {
        case notFound(String)
        case alreadyReleased(String, at: Date)
        /// A virus goes out only with `force`.
        case virus(String, names: [String])
        /// The next hop took no recipient, or refused the message.
        case notAccepted(String, refused: [String], reply: String)

        public var description: String {
            switch self {
            case .notFound(let id): "no quarantined message \(id)"
            case .alreadyReleased(let id, let at): "\(id) was already released (\(at)); use --force to release it again"
            case .virus(let id, let names):
                "\(id) holds a virus (\(names.joined(separator: ", "))); use --force to release it anyway"
            case .notAccepted(let id, let refused, let reply):
                "release of \(id) failed: \(reply)" + (refused.isEmpty ? "" : "; refused: " + refused.joined(separator: "; "))
            }
        }
    }

    /// Whether a release to `recipients` (empty: the original ones) repeats one made before:
    /// a release to the original recipients repeats any earlier release; one to named
    /// recipients only if all of them had it already, so each recipient of a message may
    /// release their own copy (the IMAP Quarantine folder) whoever released theirs first.
    static func alreadyReleased(_ entry: QuarantineEntry, to recipients: [EmailAddress]) -> Bool {
        guard entry.releasedAt != nil else { return false }
        guard !recipients.isEmpty else { return true }
        let before = Set((entry.releasedTo ?? []).map { $0.lowercased() })
        return recipients.allSatisfy { before.contains($0.description.lowercased()) }
    }

    /// Releases the message; returns the record written to the index.
    public func release(_ request: Request) async throws -> QuarantineRelease {
        let id = QuarantineReference.mailID(request.reference)
        guard let entry = try store.entry(id) else { throw Refusal.notFound(id) }
        if let at = entry.releasedAt, !request.force, Self.alreadyReleased(entry, to: request.recipients) {
            throw Refusal.alreadyReleased(id, at: at)
        }
        if entry.category == .virus && !request.force { throw Refusal.virus(id, names: entry.virusNames) }
        let route = try route(entry.origin)
        var (envelope, message) = try store.load(id)
        if !request.recipients.isEmpty { envelope.recipients = request.recipients }
        let result = try await route.relay(envelope: envelope, message: message)
        let accepted = result.acceptedRecipients
        guard !accepted.isEmpty, result.dataReply?.isPositive ?? false else {
            throw Refusal.notAccepted(
                id, refused: result.perRecipient.filter { !$0.reply.isPositive }.map { "\($0.recipient.bracketed): \($0.reply)" },
                reply: result.dataReply?.description ?? "no recipient accepted")
        }
        let record = QuarantineRelease(mailID: id, time: Date(), releasedBy: request.releasedBy,
                                       recipients: accepted.map(\.description), route: route.name)
        try store.markReleased(record)
        logger.notice("""
            Released \(entry.category.rawValue) quarantine: \(entry.category.filePrefix)-\(id) by \(record.releasedBy) \
            to \(accepted.map(\.bracketed).joined(separator: ",")) via \(route.name): \(result.dataReply?.description ?? "")
            """)
        return record
    }
}
