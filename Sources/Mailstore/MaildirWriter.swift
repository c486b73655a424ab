#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MoatCore

/// Local delivery into Maildir, as Postfix's virtual(8) and Dovecot's LDA do it, so
/// Dovecot, Courier or mutt can read the result:
///
/// 1. check the Maildir++ quota (`maildirsize`) when the target has one;
/// 2. write `Return-Path` + `Delivered-To` + the message (LF line ends) to
///    `tmp/<unique name>`, `fsync` it;
/// 3. link it into `new/`, unlink the `tmp/` name, `fsync` `new/`;
/// 4. only then report success, and append `<size> 1` to `maildirsize`.
///
/// Any failure removes the `tmp/` file and throws `MailstoreError`. Missing directories
/// (`<root>/<domain>/<user>/Maildir/{cur,new,tmp}`, mode 0700, and a folder's
/// `.Name/{cur,new,tmp}` plus its `maildirfolder` marker) are created on the first
/// delivery that needs them. Message files are mode 0600.
///
/// The calls block on disk I/O and `fsync`; from async code run them on a thread pool
/// (NIOThreadPool), not on an event loop.
public struct MaildirWriter: Sendable {
    /// This host's name as it appears in file names, already Maildir-escaped.
    public let hostname: String

    /// A collision (same name from a process on another host sharing the store with a
    /// clock step back) is retried under a fresh name this many times.
    static let nameAttempts = 3

    /// Owner, group and mode of the Maildir directories Moat creates (messages get the
    /// same without execute bits); nil: this process's account, 0700 and 0600.
    public let permissions: FilePermissions?

    public init(hostname: String = MaildirName.hostname, permissions: FilePermissions? = nil) {
        self.hostname = MaildirName.escape(hostname: hostname)
        self.permissions = permissions
    }

    /// Stores one copy of `message` for `target`.
    ///
    /// - Parameters:
    ///   - message: the message as received, CRLF or LF line ends; never re-serialised.
    ///   - sender: the envelope sender, written as `Return-Path` (`<>` for bounces).
    /// - Returns: once the file and its `new/` entry are on disk.
    /// - Throws: `MailstoreError`: `.overQuota`, `.io` (path and errno; `isTemporary`
    ///   and `enhancedStatusCode` say how to answer), `.invalidAddress`. Nothing of the
    ///   message is left behind when it throws.
    public func deliver(_ message: [UInt8], from sender: EmailAddress,
                        to target: DeliveryTarget) throws -> DeliveredMessage {
        try deliver(DeliveredMessageBytes(message: message, sender: sender, recipient: target.recipient), to: target)
    }

    private func deliver(_ bytes: DeliveredMessageBytes, to target: DeliveryTarget) throws -> DeliveredMessage {
        do {
            return try store(bytes, for: target)
        } catch MailstoreError.io(_, _, ENOENT) {
            // The usual first delivery: no Maildir yet. Creating it only on ENOENT keeps
            // the common path free of stat(2) calls; a second ENOENT is a real error.
            try MaildirLayout.create(for: target.mailbox, folder: target.folder, hostname: hostname,
                                     permissions: permissions)
            return try store(bytes, for: target)
        }
    }

    /// Stores `message` for each target independently: each copy has its own name and
    /// its own `Delivered-To`, and one failing (quota, a broken mailbox) neither stops nor
    /// damages the others. Results are in the order of `targets`.
    public func deliver(_ message: [UInt8], from sender: EmailAddress,
                        to targets: [DeliveryTarget]) -> [Result<DeliveredMessage, MailstoreError>] {
        // Converted to LF and its LFs counted once for all copies, not once per mailbox.
        let lineFeedMessage = LineEndings.lineFeedsOnly(message)
        let lineFeeds = DeliveredMessageBytes.lineFeeds(in: lineFeedMessage)
        return targets.map { target in
            do {
                let bytes = try DeliveredMessageBytes(lineFeedMessage: lineFeedMessage, lineFeeds: lineFeeds,
                                                      sender: sender, recipient: target.recipient)
                return .success(try deliver(bytes, to: target))
            } catch let error as MailstoreError {
                return .failure(error)
            } catch {
                // Every throwing call above is wrapped in `MailstoreError`; keep the
                // compiler's exhaustiveness honest without inventing a case.
                preconditionFailure("unexpected error \(error)")
            }
        }
    }

    // MARK: Private

    private func store(_ bytes: DeliveredMessageBytes, for target: DeliveryTarget) throws -> DeliveredMessage {
        let quota = target.quota.map { MaildirQuota(maildir: target.mailbox.maildir, limit: $0) }
        if let quota {
            let status = try quota.status(beforeAdding: Int64(bytes.size))
            if status.wouldExceed(size: Int64(bytes.size)) {
                throw MailstoreError.overQuota(maildir: quota.maildir, status: status, messageSize: Int64(bytes.size))
            }
        }
        let directory = target.mailbox.directory(of: target.folder)
        var attempt = 1
        while true {
            let name = MaildirName.unique(size: bytes.size, virtualSize: bytes.virtualSize, hostname: hostname)
            let path = "\(directory)/new/\(name.text)"
            do {
                try MailstoreError.mappingIO {
                    try DurableFile.create(path, temporaryPath: "\(directory)/tmp/\(name.text)", chunks: bytes.chunks,
                                           permissions: permissions?.forFiles)
                }
            } catch MailstoreError.io(_, _, EEXIST) where attempt < Self.nameAttempts {
                attempt += 1
                continue
            }
            // The message is safe; a lost quota line only makes usage low until the next
            // rebuild, which must not turn a delivered message into a reported failure.
            try? quota?.recordDelivery(size: Int64(bytes.size))
            return DeliveredMessage(path: path, name: name, size: bytes.size, virtualSize: bytes.virtualSize)
        }
    }
}
