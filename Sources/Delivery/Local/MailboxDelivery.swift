#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Directory
import Logging
import Mailstore
import MoatCore
import Queue

/// Local delivery as Postfix's virtual(8): one Maildir copy per mailbox, with
/// `Return-Path` and `Delivered-To`, into the INBOX or, for mail the filter judged spam,
/// into the Junk folder (created on first use). A message that already carries this
/// recipient's `Delivered-To` is a forwarding loop (5.4.6) and is not stored again. Quota and disk failures become outcomes
/// with the codes virtual(8) uses: over quota is a temporary 4.2.2 "mailbox full" (the
/// queue keeps trying until the message expires, then bounces with that reason), other
/// storage trouble is temporary 4.3.x, input that can never be stored is permanent.
///
/// Blocking (file writes and fsync): call it from `BlockingWork`.
struct MailboxDelivery: Sendable {
    let writer: MaildirWriter
    /// `StorageSettings.mailRoot`, the root the directory's Maildir paths are under.
    let mailRoot: String
    /// `[delivery] junk_folder`.
    let junkFolder: MaildirFolder
    let logger: Logger

    /// A copy to store: the mailbox, and the recipient address its `Delivered-To` names.
    struct Copy: Sendable {
        var mailbox: LocalDelivery
        var recipient: EmailAddress
    }

    /// Stores `message` once per copy; results in the order of `copies`.
    func deliver(_ message: QueuedMessage, to copies: [Copy]) -> [DeliveryOutcome] {
        let folder = message.hints.junk ? junkFolder : .inbox
        let deliveredTo = DeliveredToHeaders.addresses(in: message.bytes)
        // nil: a forwarding loop, not stored.
        let targets = copies.map { copy in
            deliveredTo.contains(copy.recipient.description.lowercased()) ? nil : target(for: copy, folder: folder)
        }
        // One result per target given, in order.
        var written = writer.deliver(message.bytes, from: message.sender,
                                     to: targets.compactMap { try? $0?.get() }).makeIterator()
        return zip(copies, targets).map { copy, target in
            guard let target else {
                let failure = DeliveryFailure(EnhancedStatus.mailLoop, "mail forwarding loop for \(copy.recipient)")
                logger.warning("\(message.id): to=<\(copy.recipient)>, relay=virtual, status=bounced (\(failure.text))")
                return failure.outcome
            }
            switch target.flatMap({ _ in written.next()! }) {
            case .success(let stored):
                logger.info("\(message.id): to=<\(copy.recipient)>, relay=virtual, folder=\(folder), status=sent (delivered to maildir)",
                            metadata: ["path": "\(stored.path)"])
                return .delivered
            case .failure(let error):
                logger.warning("\(message.id): to=<\(copy.recipient)>, relay=virtual, maildir delivery failed: \(error)")
                return failure(error, copy: copy).outcome
            }
        }
    }

    /// The Mailstore target of `copy`: the same `<root>/<domain>/<user>/Maildir` the
    /// directory computed, checked for path safety by `MaildirPath`.
    private func target(for copy: Copy, folder: MaildirFolder) -> Result<DeliveryTarget, MailstoreError> {
        let address = copy.mailbox.address
        let at = address.lastIndex(of: "@") ?? address.endIndex
        let domain = at < address.endIndex ? String(address[address.index(after: at)...]) : ""
        let path: MaildirPath
        do {
            path = try MaildirPath(root: mailRoot, domain: domain, user: String(address[..<at]))
        } catch {
            // `MaildirPath` throws only `.invalidMailboxName`, but untyped.
            return .failure(error as? MailstoreError ?? .invalidMailboxName(address))
        }
        let quota = copy.mailbox.quotaBytes > 0 ? QuotaLimit(bytes: copy.mailbox.quotaBytes) : nil
        return .success(DeliveryTarget(mailbox: path, folder: folder, recipient: copy.recipient, quota: quota))
    }

    /// Postfix virtual(8) wording; the paths and errno stay in our log, not in the bounce.
    private func failure(_ error: MailstoreError, copy: Copy) -> DeliveryFailure {
        let status = error.enhancedStatusCode
        switch error {
        case .overQuota:
            return DeliveryFailure(status, "mailbox full: <\(copy.mailbox.address)> is over its quota")
        case .io(let operation, _, let code):
            return DeliveryFailure(status, "maildir delivery failed: \(operation): \(String(cString: strerror(code)))")
        case .invalidMailboxName, .invalidFolderName, .invalidAddress:
            return DeliveryFailure(status, "maildir delivery failed: \(error)")
        }
    }
}
