import IMAP
import Mailstore

/// How a storage error is told to the client, in one place (Dovecot's
/// `imap_get_error_string`): the response code that lets a client act, a text that says what
/// happened, never a path or an errno (those go to the log).
enum StorageErrorResponse {
    static func text(for error: any Error) -> ResponseText {
        guard let error = error as? MailboxError else {
            return ResponseText(code: .serverBug, "Internal error occurred. Refer to server log for more information.")
        }
        switch error {
        case .noSuchMailbox: return ResponseText(code: .nonExistent, "Mailbox doesn't exist.")
        case .mailboxExists: return ResponseText(code: .alreadyExists, "Mailbox already exists.")
        case .invalidName: return ResponseText(code: .cannot, "Invalid mailbox name.")
        case .notAllowed(let what): return ResponseText(code: .cannot, what)
        case .readOnly: return ResponseText(code: .readOnly, "Mailbox is read-only.")
        case .invalidKeyword(let keyword): return ResponseText(code: .cannot, "Invalid keyword: \(keyword)")
        case .noSuchMessage: return ResponseText(code: .expungeIssued, "Some of the requested messages no longer exist.")
        case .io(_, _, let errno) where errno == 28 || errno == 122:  // ENOSPC, EDQUOT
            return ResponseText(code: .overQuota, "Not enough disk space.")
        case .io, .index:
            return ResponseText(code: .serverBug, "Internal error occurred. Refer to server log for more information.")
        }
    }

    /// Whether the error is the server's fault (logged as an error, not as the client's).
    static func isServerFault(_ error: any Error) -> Bool {
        guard let error = error as? MailboxError else { return true }
        switch error {
        case .io, .index: return true
        default: return false
        }
    }
}
