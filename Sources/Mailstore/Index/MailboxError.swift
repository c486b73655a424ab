/// Why a mailbox operation failed, with what an operator needs in the log and what the
/// IMAP layer maps to a response code (RFC 5530): `NONEXISTENT`, `ALREADYEXISTS`,
/// `CANNOT`, `SERVERBUG`/`UNAVAILABLE`.
public enum MailboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such mailbox (or it is `\Noselect`): `[NONEXISTENT]`.
    case noSuchMailbox(String)
    /// CREATE or RENAME onto a name in use: `[ALREADYEXISTS]`.
    case mailboxExists(String)
    /// A name Maildir++ cannot hold (empty level, `/`, control character, too long):
    /// `[CANNOT]`.
    case invalidName(String)
    /// DELETE INBOX, a RENAME into its own child, and the like: `[CANNOT]`.
    case notAllowed(String)
    /// A write through a handle opened read-only (EXAMINE): `[READ-ONLY]` territory.
    case readOnly(mailbox: String)
    /// A keyword that is not an IMAP atom (RFC 9051 `flag-keyword`).
    case invalidKeyword(String)
    /// The message is gone (expunged by someone else) or was never there.
    case noSuchMessage(MessageUID)
    /// A system call failed: which one, on which path, and `errno`: `[UNAVAILABLE]`.
    case io(operation: String, path: String, errno: Int32)
    /// The SQLite index failed (`path`, what we were doing, SQLite's message).
    case index(path: String, operation: String, message: String)

    public var description: String {
        switch self {
        case .noSuchMailbox(let name): "mailbox \(String(reflecting: name)) does not exist"
        case .mailboxExists(let name): "mailbox \(String(reflecting: name)) already exists"
        case .invalidName(let name): "\(String(reflecting: name)) cannot be a Maildir++ mailbox name"
        case .notAllowed(let what): what
        case .readOnly(let name): "mailbox \(String(reflecting: name)) is open read-only"
        case .invalidKeyword(let keyword): "\(String(reflecting: keyword)) is not a valid keyword"
        case .noSuchMessage(let uid): "no message with UID \(uid)"
        case .io(let operation, let path, let code):
            "\(operation) \(path): \(String(cString: strerror(code)))"
        case .index(let path, let operation, let message): "index \(path): \(operation): \(message)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
