import NetworkService
import MoatCore

/// What the session asks its listener's policy at MAIL, RCPT and DATA (Postfix's
/// restriction lists, the recipient directory, room in the queue); the SMTP module only
/// knows this seam.
public protocol SMTPConnectionPolicy: Sendable {
    /// The client's verified host name, or nil (`unknown`), for the Received header.
    var clientHostname: String? { get }
    /// nil accepts MAIL FROM (`request.sender`, `request.declaredSize`); a reply refuses it.
    func checkMail(_ request: SMTPPolicyRequest) async -> SMTPReply?
    /// nil accepts the recipient; a reply (4xx/5xx) refuses it.
    func checkRecipient(_ request: SMTPPolicyRequest) async -> SMTPReply?
    /// nil lets DATA go ahead; a reply refuses it.
    func checkData(_ request: SMTPPolicyRequest) async -> SMTPReply?
}

extension SMTPConnectionPolicy {
    /// A policy with nothing to say at MAIL accepts it.
    public func checkMail(_ request: SMTPPolicyRequest) async -> SMTPReply? { nil }
}

/// Builds the per-connection policy once a client connects (name lookups happen here,
/// before the greeting, as Postfix's smtpd does); a reply refuses the connection.
public protocol SMTPServerPolicy: Sendable {
    func connect(peerAddress: String?, localPort: Int?) async -> Result<any SMTPConnectionPolicy, SMTPRefusal>
}

/// A refused connection: the reply the client gets before it is closed.
public struct SMTPRefusal: Error, Sendable, Equatable {
    public var reply: SMTPReply
    public init(_ reply: SMTPReply) { self.reply = reply }
}

/// What the session knows when it asks.
public struct SMTPPolicyRequest: Sendable, Equatable {
    public var helo: String?
    public var sender: EmailAddress?
    /// The RCPT TO being decided; nil at MAIL and DATA.
    public var recipient: EmailAddress?
    /// Recipients accepted so far in this transaction.
    public var acceptedRecipients: Int
    /// MAIL FROM's SIZE=, if given.
    public var declaredSize: Int?
    /// The client sent commands ahead where RFC 2920 does not allow it.
    public var pipelinedIllegally: Bool
    public var tls: TLSInfo?

    public init(helo: String?, sender: EmailAddress?, recipient: EmailAddress?, acceptedRecipients: Int,
                declaredSize: Int? = nil, pipelinedIllegally: Bool, tls: TLSInfo?) {
        self.helo = helo
        self.sender = sender
        self.recipient = recipient
        self.acceptedRecipients = acceptedRecipients
        self.declaredSize = declaredSize
        self.pipelinedIllegally = pipelinedIllegally
        self.tls = tls
    }
}
