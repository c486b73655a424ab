/// The mailbox a POP3 session works on, as the store gives it (Dovecot's POP3 sees the
/// INBOX). Calls block (files, SQLite): the server makes them off its event loops.
public protocol POP3Maildrop: Sendable {
    /// The messages at login, oldest first; POP3 message n is `messages[n - 1]`.
    var messages: [POP3Listing] { get }
    /// The message's bytes as stored.
    func content(at index: Int) throws -> [UInt8]
    /// The UPDATE state (RFC 1939 §6): removes the messages marked deleted and marks the
    /// ones the client retrieved as seen (Dovecot's default), all at once.
    func commit(deleting: [Int], retrieved: [Int]) throws
}
