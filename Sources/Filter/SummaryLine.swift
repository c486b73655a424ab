import MoatCore
import SMTP
import SpamEngine

/// amavisd-new's one line per message:
/// `Passed CLEAN {RelayedInbound}, [1.2.3.4] <a@x> -> <b@y>, Message-ID: <…>, mail_id: …, Hits: 0.1, size: 1234, bayes: user, queued_as: …, 12 ms`.
struct SummaryLine {
    var policyBank: String
    var mailID: String
    var envelope: Envelope
    var size: Int
    var report = ContentReport()
    var destiny = Destiny.pass
    var messageID: String?
    var quarantine: String?
    var queuedAs: [String] = []
    var elapsed: Duration = .zero

    func render(outcome: SMTPDeliveryOutcome) -> String {
        let replies: [SMTPReply]
        switch outcome {
        case .single(let r): replies = [r]
        case .perRecipient(let rs): replies = rs
        }
        let tempfailed = replies.contains { $0.isTransientFailure }
        var verb: String
        var flags: [String]
        switch destiny {
        case .pass: verb = "Passed"; flags = [report.category >= .spammy ? "RelayedTaggedInbound" : "RelayedInbound"]
        case .discard: verb = "Blocked"; flags = ["DiscardedInbound"]
        case .bounce: verb = "Blocked"; flags = ["BouncedInbound"]
        case .reject: verb = "Blocked"; flags = ["RejectedInbound"]
        }
        if tempfailed { verb = "Tempfailed"; flags = ["TempFailedInbound"] }
        if quarantine != nil { flags.append("Quarantined") }
        var line = "\(verb) \(report.category.logName)"
        if let detail = report.detail { line += " (\(detail))" }
        line += " {\(flags.joined(separator: ","))}, "
        if policyBank != "RelayedInbound" && !policyBank.isEmpty { line += "\(policyBank) " }
        line += "[\(envelope.client.address ?? "unknown")] \(envelope.sender.bracketed) -> "
        line += envelope.recipients.map(\.bracketed).joined(separator: ",")
        if let quarantine { line += ", quarantine: \(quarantine)" }
        if let messageID { line += ", Message-ID: \(messageID)" }
        line += ", mail_id: \(mailID), Hits: \(ScoreText.format(report.spam.score)), size: \(size)"
        // Which Bayes database answered, when it was a recipient's own ([bayes] per_user).
        if report.spam.hits.contains(where: { $0.name == BayesDatabaseChoice.userRule }) { line += ", bayes: user" }
        if !queuedAs.isEmpty { line += ", queued_as: \(queuedAs.joined(separator: ","))" }
        line += ", \(Int(elapsed.seconds * 1000)) ms"
        return line
    }
}
