import IMAP

extension IMAPSession {
    /// LOGOUT (RFC 9051 §6.1.3): BYE, then the tagged OK, then the connection closes.
    func logout(_ tag: Tag) -> Next {
        send(.bye(ResponseText("Logging out")))
        ok(tag, "Logout completed.")
        state = .logout
        return .close
    }
}
