#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MoatCore

/// Everything that can stop a Maildir delivery, each case carrying what an operator needs
/// (the path, the system error) and what the SMTP side should answer (`isTemporary`,
/// `enhancedStatusCode`). When a delivery throws, nothing of that message is left behind.
public enum MailstoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A domain or user that cannot be one directory name (empty, `.`, `..`, `/`, NUL):
    /// refused because it would escape `<root>/<domain>/<user>`.
    case invalidMailboxName(String)
    /// A folder name Maildir++ cannot hold (empty hierarchy level, `/`, control character).
    case invalidFolderName(String)
    /// An envelope address that cannot be written into a header line (CR, LF or NUL).
    case invalidAddress(String)
    /// A system call failed: which one, on which path, and `errno`.
    case io(operation: String, path: String, errno: Int32)
    /// Storing `messageSize` more bytes would exceed the Maildir++ quota of `maildir`.
    case overQuota(maildir: String, status: QuotaStatus, messageSize: Int64)

    /// True when the same delivery may succeed later, so the caller defers (4xx) rather
    /// than bounces (5xx). Local storage trouble is temporary, as in Postfix's virtual(8):
    /// an operator can free disk or fix permissions and the queue retries; only input that
    /// can never be stored is permanent.
    public var isTemporary: Bool { enhancedStatusCode.hasPrefix("4") }

    /// The RFC 3463 enhanced status code a reply about this failure should carry.
    public var enhancedStatusCode: String {
        switch self {
        case .invalidMailboxName, .invalidAddress:
            "5.1.3"  // bad destination mailbox address syntax
        case .invalidFolderName:
            "4.3.5"  // the folder comes from configuration (a sieve/junk rule), not the sender
        case .overQuota:
            "4.2.2"  // mailbox full; the queue bounces when the retry period ends
        case .io(_, _, let code):
            Self.enhancedStatusCode(errno: code)
        }
    }

    /// ENOSPC is the whole system full (X.3.1), EDQUOT this mailbox's file-system quota
    /// (X.2.2), EFBIG a message larger than the file system allows, which no retry fixes
    /// (5.3.4). Everything else (EIO, EACCES, EROFS…) is a local fault: 4.3.0.
    static func enhancedStatusCode(errno code: Int32) -> String {
        switch code {
        case ENOSPC: "4.3.1"
        case EDQUOT: "4.2.2"
        case EFBIG: "5.3.4"
        default: "4.3.0"
        }
    }

    public var description: String {
        switch self {
        case .invalidMailboxName(let name):
            "mailbox name \(String(reflecting: name)) cannot be a Maildir directory"
        case .invalidFolderName(let name):
            "folder name \(String(reflecting: name)) cannot be a Maildir++ folder"
        case .invalidAddress(let address):
            "envelope address \(String(reflecting: address)) cannot be written to a header"
        case .io(let operation, let path, let code):
            SystemCallError(operation: operation, path: path, errno: code).description
        case .overQuota(let maildir, let status, let size):
            "\(maildir): over quota (\(status.usedBytes) bytes, \(status.usedMessages) messages "
                + "used of \(status.limit.headerLine)); refusing \(size) more bytes"
        }
    }

    /// Runs a `DurableFile` call, reporting its `SystemCallError` as `.io`; other errors
    /// pass through.
    @discardableResult
    static func mappingIO<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as SystemCallError {
            throw MailstoreError.io(operation: failure.operation, path: failure.path, errno: failure.errno)
        }
    }
}
