import MoatCore

/// One delivery attempt's bookkeeping, pure: the envelope before, the deliverer's
/// outcomes and the clock in; the envelope after and the recipients to bounce out.
struct DeliveryAttempt {
    /// The envelope to write back (or remove, when `isFinished`).
    var envelope: QueuedEnvelope
    /// Recipients that failed in this attempt, permanently or by expiry: the content of
    /// the bounce.
    var newlyFailed: [QueueRecipient]
    /// True when the failures are due to `max_queue_lifetime`, for the bounce's wording.
    var expired: Bool

    /// Applies `outcomes` (one per pending recipient, in the order of
    /// `envelope.recipients` filtered to `.pending`) at time `now`.
    init(_ before: QueuedEnvelope, outcomes: [DeliveryOutcome], now: Double, schedule: RetrySchedule) {
        envelope = before
        envelope.attempts += 1
        newlyFailed = []
        var outcomeIndex = 0
        for index in envelope.recipients.indices where envelope.recipients[index].state == .pending {
            let outcome = outcomeIndex < outcomes.count
                ? outcomes[outcomeIndex]
                : .temporaryFailure(status: "4.3.0", text: "delivery agent returned no result")
            outcomeIndex += 1
            var recipient = envelope.recipients[index]
            recipient.lastAttempt = now
            switch outcome {
            case .delivered:
                recipient.state = .delivered
                recipient.status = "2.0.0"
                recipient.text = "delivered"
            case .temporaryFailure(let status, let text):
                recipient.status = status
                recipient.text = text
            case .permanentFailure(let status, let text):
                recipient.state = .failed
                recipient.status = status
                recipient.text = text
                newlyFailed.append(recipient)
            }
            envelope.recipients[index] = recipient
        }
        expired = !envelope.isFinished && schedule.isExpired(arrival: envelope.arrival, now: now)
        if expired {
            // Postfix keeps the last temporary status in the bounce of an expired message
            // (Action: failed, Status: 4.x.y) so the sender sees why it never got through.
            for index in envelope.recipients.indices where envelope.recipients[index].state == .pending {
                envelope.recipients[index].state = .failed
                if envelope.recipients[index].status == nil { envelope.recipients[index].status = "4.4.7" }
                let last = envelope.recipients[index].text.map { ": \($0)" } ?? ""
                envelope.recipients[index].text = "message expired after \(Self.lifetimeText(now - envelope.arrival)) in the queue\(last)"
                newlyFailed.append(envelope.recipients[index])
            }
        }
        if !envelope.isFinished {
            envelope.nextAttempt = schedule.nextAttempt(arrival: envelope.arrival, attempts: envelope.attempts, now: now)
        }
    }

    /// `5d`, `3h`, `12m` or `40s`: the largest whole unit, for the expiry text.
    static func lifetimeText(_ seconds: Double) -> String {
        DurationText.format(seconds: Int64(seconds.rounded(.down)), exact: false)
    }
}
