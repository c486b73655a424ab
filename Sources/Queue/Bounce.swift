import Foundation
import MIME
import MoatCore
import Notices

/// Who signs the queue's bounces.
public struct BounceSettings: Sendable, Equatable {
    /// This host's name: `Reporting-MTA: dns; …` and the Message-ID domain.
    public var reportingMTA: String
    /// The bounce's `From:`, normally `postmaster@reportingMTA`.
    public var from: EmailAddress

    public init(reportingMTA: String, from: EmailAddress) {
        self.reportingMTA = reportingMTA
        self.from = from
    }
}

/// Non-delivery reports for queued mail: an RFC 3464 DSN to the envelope sender with the
/// original header section attached, queued with the null sender like any message.
enum Bounce {
    /// Queues the bounce for the recipients that failed in `attempt`.
    ///
    /// - Returns: the bounce's queue ID, or nil when none is due: the original sender was
    ///   `<>` (a bounce is never bounced: RFC 5321 §4.5.5, no loops) or nobody failed.
    static func enqueue(for attempt: DeliveryAttempt, message: [UInt8], settings: BounceSettings,
                        spool: Spool, now: Double) throws(QueueError) -> String? {
        let sender = attempt.envelope.senderAddress
        guard !sender.isNull, !attempt.newlyFailed.isEmpty else { return nil }
        let bytes = report(for: attempt, message: message, settings: settings, now: now)
        return try spool.enqueue(Envelope(sender: .null, recipients: [sender]), message: bytes, now: now)
    }

    /// The DSN bytes.
    static func report(for attempt: DeliveryAttempt, message: [UInt8], settings: BounceSettings,
                       now: Double) -> [UInt8] {
        let envelope = attempt.envelope
        let parsed = MIMEMessage.parse(message)
        let header = Array(message[parsed.header.startOffset..<parsed.header.bodyOffset])
        let recipients = attempt.newlyFailed.map { failed in
            DeliveryStatusNotification.Recipient(
                QueuedEnvelope.address(failed.address), action: .failed, status: failed.status ?? "5.0.0",
                diagnostic: failed.text, originalRecipient: failed.originalRecipient.map(QueuedEnvelope.address),
                lastAttemptDate: failed.lastAttempt.map { Date(timeIntervalSince1970: $0) })
        }
        let reason = attempt.expired
            ? "Your message could not be delivered for \(DeliveryAttempt.lifetimeText(now - envelope.arrival)); "
                + "the mail system has given up trying."
            : "Your message could not be delivered to one or more recipients."
        return DeliveryStatusNotification.build(
            reportingMTA: settings.reportingMTA, from: settings.from, to: envelope.senderAddress,
            subject: DeliveryStatusNotification.Subject.undeliverable, reason: reason,
            originalEnvelopeID: envelope.envelopeID, arrivalDate: Date(timeIntervalSince1970: envelope.arrival),
            recipients: recipients, originalHeader: header, mailID: envelope.id,
            date: Date(timeIntervalSince1970: now))
    }
}
