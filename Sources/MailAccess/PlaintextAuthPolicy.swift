import MoatCore

/// When a client may send a password in the clear (IMAP LOGIN, AUTHENTICATE PLAIN, POP3
/// USER/PASS, AUTH PLAIN): over TLS, or from a network trusted as Dovecot trusts loopback
/// with `disable_plaintext_auth = yes` (its "secured" connections). Elsewhere IMAP announces
/// LOGINDISABLED and POP3 leaves USER out of CAPA until STARTTLS/STLS.
public struct PlaintextAuthPolicy: Sendable, Equatable {
    /// Networks whose connections count as secured without TLS (loopback by default).
    public var securedNetworks: NetworkSet

    public init(securedNetworks: NetworkSet = NetworkSet(validEntriesOf: [], includeLoopback: true)) {
        self.securedNetworks = securedNetworks
    }

    /// Whether a password may be sent on this connection now.
    public func allows(peer: String?, tlsActive: Bool) -> Bool {
        if tlsActive { return true }
        guard let peer else { return false }
        return securedNetworks.contains(peer)
    }
}
