/// Who a message is from and for, as the SMTP dialogue said, plus what is known of the
/// client that delivered it (Postfix passes its own client's identity with XFORWARD).
public struct Envelope: Sendable, Equatable {
    public var sender: EmailAddress
    public var recipients: [EmailAddress]
    public var client: ClientIdentity

    public init(sender: EmailAddress, recipients: [EmailAddress], client: ClientIdentity = ClientIdentity()) {
        self.sender = sender
        self.recipients = recipients
        self.client = client
    }
}

/// The SMTP client a message came from: either the peer of our connection or, with
/// XFORWARD, the original client as Postfix saw it.
public struct ClientIdentity: Sendable, Equatable {
    /// The client's IP address as text (`192.0.2.1`, `2001:db8::1`), or nil if unknown.
    public var address: String?
    /// Its verified reverse DNS name, or nil (`unknown` in Postfix terms).
    public var hostname: String?
    /// What it said in HELO/EHLO.
    public var helo: String?
    /// `SMTP`, `ESMTP`, `LMTP`… as the receiving server recorded it.
    public var protocolName: String?
    /// XFORWARD SOURCE: `LOCAL` or `REMOTE`.
    public var source: String?

    public init(address: String? = nil, hostname: String? = nil, helo: String? = nil,
                protocolName: String? = nil, source: String? = nil) {
        self.address = address
        self.hostname = hostname
        self.helo = helo
        self.protocolName = protocolName
        self.source = source
    }
}
