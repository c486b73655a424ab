import MoatCore

/// The SMTP command whose restriction list is being evaluated (Postfix's
/// smtpd_{client,helo,sender,relay,recipient,data}_restrictions). `relay` is Postfix ≥ 2.10's
/// safety net: it runs before `recipient` at RCPT, and both must let a recipient through.
public enum PolicyStage: String, Sendable, Hashable, CaseIterable {
    case client, helo, sender, relay, recipient, data

    /// The `reply_class` Postfix puts in replies of restrictions that speak for the list
    /// itself (`reject`, `reject_unauth_pipelining`): "<x>: Client host rejected: …".
    var replyClass: String {
        switch self {
        case .client: "Client host"
        case .helo: "Helo command"
        case .sender: "Sender address"
        case .relay, .recipient: "Recipient address"
        case .data: "Data command"
        }
    }
}

/// How far a client name lookup got (Postfix's SMTPD_PEER_CODE_OK/TEMP/PERM): a temporary
/// failure answers 450 even when the configured reject code is 5xx.
public enum NameLookupStatus: Sendable, Hashable {
    case ok
    case temporaryFailure
    case permanentFailure
}

/// What the SMTP session knows when it asks for a decision. With smtpd_delay_reject=yes
/// every list is evaluated at RCPT time, so the fields of later commands may be nil when
/// the session asks at DATA (no current recipient).
public struct PolicyContext: Sendable {
    /// The connected client's address.
    public var clientAddress: IPAddress
    /// The forward-confirmed client hostname, or "unknown" (Postfix's `state->name`).
    public var clientHostname: String
    public var clientHostnameStatus: NameLookupStatus
    /// The PTR name even when it does not confirm forward, or "unknown"
    /// (Postfix's `state->reverse_name`).
    public var reverseHostname: String
    public var reverseHostnameStatus: NameLookupStatus
    /// The HELO/EHLO argument as given, nil before HELO.
    public var helo: String?
    /// MAIL FROM; `EmailAddress.null` for `<>`; nil before MAIL.
    public var sender: EmailAddress?
    /// The RCPT TO being decided; nil at DATA.
    public var recipient: EmailAddress?
    /// The SASL login name, nil when the client did not authenticate.
    public var saslUsername: String?
    /// MAIL FROM's SIZE=, if the client declared one.
    public var declaredSize: Int?
    /// The session saw the client send commands ahead of time where RFC 2920 does not
    /// allow it (Postfix ≥ 2.6 keeps this as a per-session flag).
    public var pipelinedIllegally: Bool

    public init(
        clientAddress: IPAddress, clientNames: ClientNames = .unknown, helo: String? = nil,
        sender: EmailAddress? = nil, recipient: EmailAddress? = nil, saslUsername: String? = nil,
        declaredSize: Int? = nil, pipelinedIllegally: Bool = false
    ) {
        self.clientAddress = clientAddress
        self.clientHostname = clientNames.hostname
        self.clientHostnameStatus = clientNames.hostnameStatus
        self.reverseHostname = clientNames.reverseHostname
        self.reverseHostnameStatus = clientNames.reverseHostnameStatus
        self.helo = helo
        self.sender = sender
        self.recipient = recipient
        self.saslUsername = saslUsername
        self.declaredSize = declaredSize
        self.pipelinedIllegally = pipelinedIllegally
    }

    /// `hostname[address]` as Postfix names the client in replies and logs.
    public var clientNameAndAddress: String { "\(clientHostname)[\(clientAddress)]" }
}
