import Foundation
import Logging
import MIME
import MoatCore
import Notices
import Quarantine
import SMTP

/// Takes a message the filter could not judge in time (see `FilterPipeline.Budget`).
public protocol FilterOverflow: Sendable {
    /// Stores the message for filtering later; the reply goes to the client.
    func acceptUnfiltered(_ transaction: SMTPTransaction) async -> SMTPDeliveryOutcome
}

/// The amavisd-new pipeline for one message: checks, category, destiny, quarantine,
/// re-injection of what passes, DSN and notices, and the summary log line. Answers the
/// SMTP client only when the message is safe downstream, so the sending Postfix keeps
/// its copy until then.
public final class FilterPipeline: SMTPMessageHandler {
    private let checker: ContentChecker
    private let policy: FilterPolicy
    private let quarantine: QuarantineStore?
    private let relay: any MessageRelay
    private let logger: Logger
    private let budget: Budget?

    /// How long the sending client may wait for the content check, and what happens to a
    /// message not judged by then (the MX accepts it and filters it from its queue).
    public struct Budget: Sendable {
        public var limit: Duration
        public var overflow: any FilterOverflow

        public init(limit: Duration, overflow: any FilterOverflow) {
            self.limit = limit
            self.overflow = overflow
        }
    }

    public init(checker: ContentChecker, policy: FilterPolicy, quarantine: QuarantineStore?,
                relay: any MessageRelay, logger: Logger, budget: Budget? = nil) {
        self.checker = checker
        self.policy = policy
        self.quarantine = quarantine
        self.relay = relay
        self.logger = logger
        self.budget = budget
    }

    public func handle(_ transaction: SMTPTransaction) async -> SMTPDeliveryOutcome {
        let started = ContinuousClock.now
        let mailID = MailID.generate()
        let envelope = transaction.envelope
        var log = SummaryLine(policyBank: policy.policyBank, mailID: mailID, envelope: envelope,
                              size: transaction.message.count)

        let message = MIMEMessage.parse(transaction.message)
        let report: ContentReport
        do {
            let checker = self.checker
            let sender = envelope.sender.description
            let recipients = envelope.recipients
            if let budget {
                guard let judged = try await withDeadline(budget.limit, {
                    try await checker.check(message, envelopeSender: sender, recipients: recipients)
                }) else {
                    logger.notice("(\(mailID)) content check exceeded \(budget.limit): accepted unfiltered, filtering from the queue")
                    return await budget.overflow.acceptUnfiltered(transaction)
                }
                report = judged
            } else {
                report = try await checker.check(message, envelopeSender: sender, recipients: recipients)
            }
        } catch {
            logger.error("(\(mailID)) content check failed: \(error)")
            return .single(SMTPReply(451, "4.5.0", "Error in processing, id=\(mailID), content check FAILED"))
        }
        log.report = report
        log.messageID = message.messageID
        let destiny = policy.destiny(for: report.category)
        log.destiny = destiny

        var quarantined = false
        if policy.quarantines(report.category), let quarantine {
            do {
                try await Self.store(in: quarantine, message: transaction.message, envelope: envelope,
                                     entry: quarantineEntry(mailID: mailID, report: report, message: message, envelope: envelope))
                quarantined = true
                log.quarantine = "\(report.category.quarantineCategory.filePrefix)-\(mailID)"
            } catch {
                logger.error("(\(mailID)) quarantine write failed: \(error)")
                return .single(SMTPReply(451, "4.5.0", "Error in processing, id=\(mailID), quarantine FAILED"))
            }
        }

        let outcome: SMTPDeliveryOutcome
        switch destiny {
        case .pass:
            outcome = await pass(transaction, message: message, report: report, mailID: mailID,
                                 quarantined: quarantined, log: &log)
        case .discard:
            outcome = .single(SMTPReply(250, "2.7.0", "Ok, discarded, id=\(mailID) - \(reason(report))"))
        case .bounce:
            outcome = await bounce(transaction, message: message, report: report, mailID: mailID)
        case .reject:
            outcome = .single(SMTPReply(554, "5.7.0", "Reject, id=\(mailID) - \(reason(report))"))
        }

        if report.category == .virus || report.category == .banned {
            await notifyAdmin(report: report, mailID: mailID, envelope: envelope, message: message, quarantined: quarantined)
        }
        log.elapsed = ContinuousClock.now - started
        logger.info("\(log.render(outcome: outcome))")
        return outcome
    }

    // MARK: destinies

    private func pass(_ transaction: SMTPTransaction, message: MIMEMessage, report: ContentReport,
                      mailID: String, quarantined: Bool, log: inout SummaryLine) async -> SMTPDeliveryOutcome {
        let recipients = transaction.envelope.recipients
        let composer = HeaderComposer(policy: policy)
        let context = HeaderComposer.Context(
            mailID: mailID, report: report,
            transaction: SMTPTransactionInfo(clientAddress: transaction.envelope.client.address,
                                             clientHelo: transaction.envelope.client.helo,
                                             protocolName: transaction.protocolName, localPort: transaction.localPort),
            quarantined: quarantined, date: Date())
        // Local and non-local recipients may get different headers: one relay per group.
        var replies: [EmailAddress: SMTPReply] = [:]
        let groups = [true, false].map { local in (local, recipients.filter { policy.localDomains.contains($0) == local }) }
        for (local, group) in groups where !group.isEmpty {
            var envelope = transaction.envelope
            envelope.recipients = group
            let bytes = composer.compose(message, recipients: group, local: local, context: context)
            do {
                let junk = local && report.spam.score >= policy.levels.tag2
                let result = try await relay.relay(envelope: envelope, message: bytes, junk: junk)
                if let id = result.queueID { log.queuedAs.append(id) }
                for recipient in group {
                    let downstream = result.reply(for: recipient) ?? result.dataReply
                        ?? SMTPReply(451, "4.6.0", "no reply")
                    replies[recipient] = wrap(downstream, mailID: mailID)
                }
            } catch {
                logger.warning("(\(mailID)) re-injection to \(relay.name) failed: \(error)")
                for recipient in group {
                    replies[recipient] = SMTPReply(451, "4.6.0", "Error in processing, id=\(mailID), forwarding to \(relay.name) FAILED")
                }
            }
        }
        let ordered = recipients.map { replies[$0] ?? SMTPReply(451, "4.6.0", "Error in processing, id=\(mailID)") }
        if transaction.protocolName == "LMTP" { return .perRecipient(ordered) }
        return await singleReply(ordered, transaction: transaction, message: message, mailID: mailID)
    }

    /// SMTP has one reply to DATA for all recipients. Any temporary failure makes the
    /// client retry the whole message (a recipient may then get it twice, never zero
    /// times); recipients refused for good next to accepted ones get a DSN, as a
    /// downstream MTA would send, so none is lost silently.
    private func singleReply(_ replies: [SMTPReply], transaction: SMTPTransaction, message: MIMEMessage,
                             mailID: String) async -> SMTPDeliveryOutcome {
        if let tempfail = replies.first(where: \.isTransientFailure) { return .single(tempfail) }
        guard let accepted = replies.first(where: \.isPositive) else { return .single(replies[0]) }
        let refused = zip(transaction.envelope.recipients, replies).filter { $0.1.isPermanentFailure }
        if !refused.isEmpty && !transaction.envelope.sender.isNull {
            let dsn = DeliveryStatusNotification.build(
                reportingMTA: policy.hostname, from: policy.noticeFrom, fromName: "Content-filter at \(policy.hostname)",
                to: transaction.envelope.sender, subject: DeliveryStatusNotification.Subject.undeliverable,
                reason: "The next hop refused these recipients", arrivalDate: Date(),
                recipients: refused.map { DeliveryStatusNotification.Recipient($0.0, status: $0.1.enhanced ?? "5.0.0",
                                                                               diagnostic: $0.1.description) },
                originalHeader: Array(message.bytes[message.header.startOffset..<message.header.bodyOffset]),
                mailID: mailID, date: Date())
            do {
                _ = try await relay.relay(envelope: Envelope(sender: .null, recipients: [transaction.envelope.sender]), message: dsn)
            } catch {
                logger.warning("(\(mailID)) DSN for refused recipients failed: \(error)")
                return .single(SMTPReply(451, "4.6.0", "Error in processing, id=\(mailID), DSN FAILED"))
            }
        }
        return .single(accepted)
    }

    /// amavisd-new's form: `250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as X`.
    /// In the MX the queue's own reply goes out as is (`250 2.0.0 Ok: queued as X`, as Postfix).
    private func wrap(_ downstream: SMTPReply, mailID: String) -> SMTPReply {
        if policy.stage != .gateway { return downstream }
        let text = "id=\(mailID) - from MTA(\(relay.name)): \(downstream.description)"
        if downstream.isPositive { return SMTPReply(250, "2.0.0", "Ok, \(text)") }
        return SMTPReply(downstream.code, downstream.enhanced ?? (downstream.isTransientFailure ? "4.6.0" : "5.6.0"), text)
    }

    private func bounce(_ transaction: SMTPTransaction, message: MIMEMessage, report: ContentReport,
                        mailID: String) async -> SMTPDeliveryOutcome {
        let sender = transaction.envelope.sender
        // No DSN to a null sender (loops) nor for spam (backscatter to forged senders).
        guard !sender.isNull, report.category != .spam else {
            return .single(SMTPReply(250, "2.7.0", "Ok, discarded, id=\(mailID) - \(reason(report))"))
        }
        let diagnostic = "554 5.7.0 Reject, id=\(mailID) - \(reason(report))"
        let isVirus = report.category == .virus
        let dsn = DeliveryStatusNotification.build(
            reportingMTA: policy.hostname, from: policy.noticeFrom, fromName: "Content-filter at \(policy.hostname)",
            to: sender,
            subject: isVirus ? DeliveryStatusNotification.Subject.virusFound : DeliveryStatusNotification.Subject.bannedContent,
            reason: reason(report), arrivalDate: Date(),
            recipients: transaction.envelope.recipients.map {
                DeliveryStatusNotification.Recipient($0, status: "5.7.0", diagnostic: diagnostic)
            },
            originalHeader: Array(message.bytes[message.header.startOffset..<message.header.bodyOffset]),
            mailID: mailID, date: Date())
        do {
            let result = try await relay.relay(envelope: Envelope(sender: .null, recipients: [sender]), message: dsn)
            guard result.allAccepted, result.dataReply?.isPositive ?? false else {
                throw FilterError.notAccepted(result.dataReply ?? result.perRecipient.first?.reply)
            }
        } catch {
            logger.warning("(\(mailID)) DSN to \(sender.bracketed) failed: \(error)")
            return .single(SMTPReply(451, "4.6.0", "Error in processing, id=\(mailID), DSN FAILED"))
        }
        return .single(SMTPReply(250, "2.5.0", "Ok, id=\(mailID), BOUNCE"))
    }

    private func notifyAdmin(report: ContentReport, mailID: String, envelope: Envelope,
                             message: MIMEMessage, quarantined: Bool) async {
        guard let admin = await policy.admin.address() else {
            if case .lookedUp = policy.admin { logger.warning("(\(mailID)) admin notice not sent: no local domain for postmaster@") }
            return
        }
        let kind: AdminNotice.Kind = report.category == .virus ? .virus(names: report.virusNames) : .banned(names: report.bannedNames)
        let notice = AdminNotice.build(
            kind: kind, mailID: mailID, envelope: envelope,
            originalHeader: Array(message.bytes[message.header.startOffset..<message.header.bodyOffset]),
            hostname: policy.hostname, from: policy.noticeFrom, to: admin, date: Date(),
            quarantineLocation: quarantined ? "\(report.category.quarantineCategory.filePrefix)-\(mailID)" : nil)
        do {
            _ = try await relay.relay(envelope: Envelope(sender: policy.noticeFrom, recipients: [admin]), message: notice)
        } catch {
            logger.warning("(\(mailID)) admin notice to \(admin.bracketed) failed: \(error)")
        }
    }

    // MARK: helpers

    private func reason(_ report: ContentReport) -> String {
        switch report.category {
        case .virus: "INFECTED: \(report.virusNames.joined(separator: ", "))"
        case .banned: "BANNED: \(report.bannedNames.joined(separator: ", "))"
        case .spam, .spammy: "SPAM"
        case .badHeader: "BAD-HEADER"
        case .clean: "CLEAN"
        }
    }

    private func quarantineEntry(mailID: String, report: ContentReport, message: MIMEMessage, envelope: Envelope) -> QuarantineEntry {
        QuarantineEntry(
            mailID: mailID, time: Date(), sender: envelope.sender.description,
            recipients: envelope.recipients.map(\.description), category: report.category.quarantineCategory,
            score: report.spam.score, tests: report.spam.hits.map(\.name), virusNames: report.virusNames,
            bannedNames: report.bannedNames, subject: message.subject, messageID: message.messageID,
            size: message.bytes.count, releasedAt: nil, releasedTo: nil,
            origin: policy.stage == .gateway ? .gateway : .mx)
    }

    /// The store fsyncs; keep that off the event loop threads.
    private static func store(in quarantine: QuarantineStore, message: [UInt8], envelope: Envelope,
                              entry: QuarantineEntry) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                do {
                    try quarantine.store(message: message, envelope: envelope, entry: entry)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

/// Failures inside the pipeline that are not a component's own error.
public enum FilterError: Error, CustomStringConvertible {
    case notAccepted(SMTPReply?)

    public var description: String {
        switch self {
        case .notAccepted(let reply): "next hop did not accept: \(reply?.description ?? "no reply")"
        }
    }
}

extension ContentCategory {
    /// The quarantine's name for this category.
    public var quarantineCategory: QuarantineCategory {
        switch self {
        case .virus: .virus
        case .banned: .banned
        case .spam, .spammy: .spam
        case .badHeader: .badHeader
        case .clean: .clean
        }
    }
}
