import NetworkService
import MoatCore

/// A complete mail transaction handed to the message handler after the final dot.
public struct SMTPTransaction: Sendable {
    /// Sender, accepted recipients, and the client identity (XFORWARD's when given).
    public var envelope: Envelope
    /// The message exactly as received, dot-stuffing removed.
    public var message: [UInt8]
    /// `SMTP`, `ESMTP` or `LMTP`, for the Received header's `with` clause.
    public var protocolName: String
    /// The directly connected peer (Postfix, in filter mode), which may differ from `envelope.client`.
    public var peerAddress: String?
    /// The local port the message arrived on, for the Received header.
    public var localPort: Int?
    /// MAIL FROM's BODY= parameter, if any.
    public var body: String?
    /// The TLS the message came over, if any.
    public var tls: TLSInfo?
    /// The ID named by the trace header the handler had put in front of `message` at DATA
    /// (`SMTPMessageHandler.traceHeader`); nil when it wrote none.
    public var traceID: String?

    public init(envelope: Envelope, message: [UInt8], protocolName: String, peerAddress: String?,
                localPort: Int?, body: String?, tls: TLSInfo? = nil) {
        self.envelope = envelope
        self.message = message
        self.protocolName = protocolName
        self.peerAddress = peerAddress
        self.localPort = localPort
        self.body = body
        self.tls = tls
    }
}

/// What the handler decided for a transaction: one reply for the DATA command or, for
/// LMTP, one per recipient in envelope order.
public enum SMTPDeliveryOutcome: Sendable, Equatable {
    case single(SMTPReply)
    case perRecipient([SMTPReply])

    /// Some recipient got the message.
    public var accepted: Bool {
        switch self {
        case .single(let reply): reply.isPositive
        case .perRecipient(let replies): replies.contains(where: \.isPositive)
        }
    }
}

/// Whoever takes the message after the final dot (the Filter in gateway mode).
public protocol SMTPMessageHandler: Sendable {
    /// Must return only when the message is safe (re-injected, queued or quarantined) or
    /// refused: the reply goes to the client as the final answer to DATA.
    func handle(_ transaction: SMTPTransaction) async -> SMTPDeliveryOutcome

    /// The trace header to put in front of the message as it arrives, and the ID it names,
    /// asked when DATA is accepted (`transaction.message` is still empty). Postfix's smtpd
    /// writes its Received header at that point too; here it also spares the handler
    /// copying the whole message to prepend it.
    func traceHeader(for transaction: SMTPTransaction) -> (id: String, header: [UInt8])?
}

extension SMTPMessageHandler {
    /// No trace header: the message as received.
    public func traceHeader(for transaction: SMTPTransaction) -> (id: String, header: [UInt8])? { nil }
}
