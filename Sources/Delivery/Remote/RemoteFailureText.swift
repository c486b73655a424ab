import SMTP

/// Postfix smtp(8)'s words for what went wrong at a remote host, so operators and senders
/// read the same bounces and log lines they know:
///
///     host mx.example[192.0.2.1] said: 550 5.1.1 <bob@example>: User unknown (in reply to RCPT TO command)
///     host mx.example[192.0.2.1] refused to talk to me: 554 5.7.1 Go away
///     connect to mx.example[192.0.2.1]:25: Connection refused
///     lost connection with mx.example[192.0.2.1] while sending RCPT TO
///     conversation with mx.example[192.0.2.1] timed out while receiving the initial server greeting
enum RemoteFailureText {
    /// A negative reply as the recipient's failure: the server's enhanced code (its class
    /// made to agree with the reply code, or X.0.0 when it sent none) and its text.
    static func failure(_ reply: SMTPReply, from host: MailHost, stage: SMTPClientStage?) -> DeliveryFailure {
        DeliveryFailure(status(of: reply), said(reply, by: host, stage: stage))
    }

    /// What a server's reply decided, e.g. `host x[a] said: 550 … (in reply to RCPT TO command)`.
    static func said(_ reply: SMTPReply, by host: MailHost, stage: SMTPClientStage?) -> String {
        let text = ([String(reply.code)] + (reply.enhanced.map { [$0] } ?? []) + reply.lines).joined(separator: " ")
        if stage == .greeting { return "host \(host) refused to talk to me: \(text)" }
        let context = stage.flatMap(inReplyTo).map { " (in reply to \($0))" } ?? ""
        return "host \(host) said: \(text)\(context)"
    }

    /// A session that ended without a reply to report.
    static func failure(_ error: SMTPClientError, at host: MailHost) -> DeliveryFailure {
        switch error {
        case .connectFailed:
            return DeliveryFailure(EnhancedStatus.noAnswer,
                                   "connect to \(host.endpoint): \(error.connectFailureReason ?? "\(error)")")
        case .timeout(let stage):
            return DeliveryFailure(EnhancedStatus.badConnection, "conversation with \(host) timed out \(during(stage))")
        case .unexpectedClose(let stage):
            return DeliveryFailure(EnhancedStatus.badConnection, "lost connection with \(host) \(during(stage))")
        case .tlsFailed(let reason):
            return DeliveryFailure(EnhancedStatus.badConnection, "TLS handshake with \(host) failed: \(reason)")
        case .protocolViolation(let reason):
            return DeliveryFailure(EnhancedStatus.protocolError, "host \(host) violated the SMTP protocol: \(reason)")
        }
    }

    /// `[delivery] transaction_timeout` ran out.
    static func sessionTimeout(at host: MailHost, limit: Duration) -> DeliveryFailure {
        DeliveryFailure(EnhancedStatus.badConnection,
                        "conversation with \(host) timed out (transaction_timeout \(limit.components.seconds)s)")
    }

    /// RFC 3463 §3.1: the class of the enhanced code must match the reply's; Postfix
    /// forces it, and invents X.0.0 when the server gave none.
    static func status(of reply: SMTPReply) -> String {
        let replyClass = String(reply.code / 100)
        guard let enhanced = reply.enhanced, let dot = enhanced.firstIndex(of: ".") else { return "\(replyClass).0.0" }
        return replyClass + enhanced[dot...]
    }

    private static func inReplyTo(_ stage: SMTPClientStage) -> String? {
        switch stage {
        case .connect, .greeting, .tlsHandshake, .message: nil
        case .ehlo: "EHLO command"
        case .helo: "HELO command"
        case .startTLS: "STARTTLS command"
        case .xforward: "XFORWARD command"
        case .mail: "MAIL FROM command"
        case .rcpt: "RCPT TO command"
        case .data: "DATA command"
        case .dataDone: "end of DATA command"
        case .quit: "QUIT command"
        }
    }

    private static func during(_ stage: SMTPClientStage) -> String {
        switch stage {
        case .connect: "while connecting"
        case .greeting: "while receiving the initial server greeting"
        case .ehlo: "while performing the EHLO handshake"
        case .helo: "while performing the HELO handshake"
        case .startTLS, .tlsHandshake: "while performing the STARTTLS handshake"
        case .xforward: "while sending XFORWARD"
        case .mail: "while sending MAIL FROM"
        case .rcpt: "while sending RCPT TO"
        case .data: "while sending DATA command"
        case .message: "while sending message body"
        case .dataDone: "while sending end of data -- message may be sent more than once"
        case .quit: "while sending QUIT"
        }
    }
}
