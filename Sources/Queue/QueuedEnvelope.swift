import Foundation
import MoatCore

/// The envelope file of a queued message (`<id>.env`): who it is from and for, each
/// recipient's state, and the schedule. Rewritten whole and atomically after each change,
/// so it is the message's single source of truth; the message bytes never change.
public struct QueuedEnvelope: Codable, Sendable, Equatable {
    /// Bumped when the layout changes incompatibly; older files are still read.
    public static let currentVersion = 1

    public var version = QueuedEnvelope.currentVersion
    public var id: String
    /// The reverse-path; empty for the null sender `<>` (bounces), which never gets a bounce.
    public var sender: String
    public var recipients: [QueueRecipient]
    /// Unix seconds when the message was accepted; `max_queue_lifetime` counts from here.
    public var arrival: Double
    /// Delivery attempts so far; the backoff doubles with each.
    public var attempts: Int
    /// Not tried before this time (Unix seconds).
    public var nextAttempt: Double
    /// RFC 3461 ENVID, reported as Original-Envelope-Id.
    public var envelopeID: String?
    /// The client that handed the message over, for `moat queue show`.
    public var clientAddress: String?
    public var clientHelo: String?
    /// Absent in files written before hints existed (read as `.none`).
    public var hints: DeliveryHints?

    public init(id: String, envelope: Envelope, arrival: Double, envelopeID: String? = nil,
                hints: DeliveryHints = .none) {
        self.id = id
        self.sender = envelope.sender.description
        self.recipients = envelope.recipients.map { QueueRecipient(address: $0.description) }
        self.arrival = arrival
        self.attempts = 0
        self.nextAttempt = arrival
        self.envelopeID = envelopeID
        self.clientAddress = envelope.client.address
        self.clientHelo = envelope.client.helo
        self.hints = hints == .none ? nil : hints
    }

    /// The client as recorded at arrival.
    public var client: ClientIdentity { ClientIdentity(address: clientAddress, helo: clientHelo) }

    /// The sender as an address; `.null` for `<>`.
    public var senderAddress: EmailAddress { Self.address(sender) }

    /// True when no recipient is left to try: the message can leave the queue.
    public var isFinished: Bool { !recipients.contains { $0.state == .pending } }

    /// The stored form of an address back as an `EmailAddress`, tolerating what the
    /// parser would refuse (it was accepted once; the queue must not lose it now).
    static func address(_ text: String) -> EmailAddress {
        if text.isEmpty { return .null }
        if let parsed = EmailAddress(parsing: text) { return parsed }
        guard let at = text.lastIndex(of: "@") else { return EmailAddress(uncheckedLocalPart: text, domain: "") }
        return EmailAddress(uncheckedLocalPart: String(text[..<at]), domain: String(text[text.index(after: at)...]))
    }

    /// Pretty JSON with sorted keys: stable bytes an administrator can read.
    func encoded() throws(QueueError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(self)) + [0x0A]
        } catch {
            // Only a non-finite time could fail; refuse rather than write a broken file.
            throw .corruptEnvelope(path: id, reason: "cannot encode: \(error)")
        }
    }

    static func decode(_ bytes: [UInt8], path: String) throws(QueueError) -> QueuedEnvelope {
        do {
            return try JSONDecoder().decode(QueuedEnvelope.self, from: Data(bytes))
        } catch {
            throw .corruptEnvelope(path: path, reason: "\(error)")
        }
    }
}
