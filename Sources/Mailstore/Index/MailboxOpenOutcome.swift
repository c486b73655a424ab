/// How a mailbox's index came to be when it was opened: every case but `.existing` is
/// worth one log line (`rebuilt` at warning level: an index was lost or damaged).
public enum MailboxOpenOutcome: Sendable, Hashable {
    /// The index was there and sound.
    case existing
    /// No index and no earlier state: a new UIDVALIDITY was chosen.
    case created
    /// No Moat index; `dovecot-uidlist` gave UIDVALIDITY and the UIDs of `count` messages.
    case importedFromDovecot(count: Int)
    /// The index was missing or failed its check (`reason`) and was rebuilt from the Maildir;
    /// `keptUIDs` messages kept the UID their file name or `dovecot-uidlist` recorded.
    case rebuilt(reason: String, keptUIDs: Int)
}
