import IMAP

extension IMAPSession {
    /// STARTTLS (RFC 9051 §6.2.1): OK, then TLS; the client must ask CAPABILITY again.
    func startTLS(_ tag: Tag) -> Next {
        guard tlsAvailable, !tlsActive else {
            bad(tag, tlsActive ? "TLS is already active." : "TLS support isn't enabled.")
            return .goOn
        }
        ok(tag, "Begin TLS negotiation now.")
        return .startTLS
    }

    /// The handshake finished: what was sent in the clear before it is forgotten by the caller.
    public func tlsStarted() {
        tlsActive = true
    }
}
