import Logging
import MoatCore
import Queue
import SMTP

/// SMTP delivery to one next hop, as Postfix's smtp(8): look up the hosts, try them in
/// order until one takes the session, and report each recipient by the reply that
/// decided it.
///
/// - A host that cannot be reached, drops the connection, times out, or refuses the whole
///   session (greeting, EHLO, a 4xx to MAIL FROM) passes the mail to the next host; when
///   none is left, the last host's failure is every recipient's (4.4.1 for connections).
/// - Replies to RCPT TO and to the end of data are final: 4xx temporary, 5xx permanent,
///   each with the server's text.
/// - Opportunistic STARTTLS (`settings.tls`): used when the server offers it, nothing
///   verified; when the handshake fails, the same host is tried once more in plaintext
///   (Postfix's `may` level does this, since plaintext is what `may` settles for).
/// - Each session, connection included, ends after `connectTimeout + transactionTimeout`.
struct RemoteDelivery: Sendable {
    struct Settings: Sendable {
        var heloName: String
        var connectTimeout: Duration
        /// Per reply (Postfix's `smtp_*_timeout`).
        var commandTimeout: Duration
        /// `[delivery] transaction_timeout`.
        var transactionTimeout: Duration
        var tls: SMTPClientTLS?
        /// RCPTs per transaction (Postfix `smtp_destination_recipient_limit` = 50).
        var recipientLimit: Int
    }

    let lookup: MailHostLookup
    let settings: Settings
    let logger: Logger

    /// Delivers to `recipients`, all behind `hop`; one outcome per recipient, in order.
    /// `eightBit`: the message has bytes above 127 (sent as `BODY=8BITMIME` where offered).
    func deliver(_ message: QueuedMessage, eightBit: Bool, to recipients: [EmailAddress],
                 via hop: NextHop) async -> [DeliveryOutcome] {
        let hosts: [MailHost]
        do {
            hosts = try await lookup.hosts(for: hop)
        } catch {
            for recipient in recipients { log(message, recipient, relay: "none", error.outcome) }
            return Array(repeating: error.outcome, count: recipients.count)
        }
        var outcomes: [DeliveryOutcome] = []
        outcomes.reserveCapacity(recipients.count)
        for start in stride(from: 0, to: recipients.count, by: max(1, settings.recipientLimit)) {
            let chunk = Array(recipients[start..<min(start + max(1, settings.recipientLimit), recipients.count)])
            outcomes += await deliver(message, to: chunk, over: hosts, eightBit: eightBit)
        }
        return outcomes
    }

    // MARK: Hosts

    private func deliver(_ message: QueuedMessage, to recipients: [EmailAddress], over hosts: [MailHost],
                         eightBit: Bool) async -> [DeliveryOutcome] {
        var last = DeliveryFailure(EnhancedStatus.noAnswer, "no host to deliver to")
        for (index, host) in hosts.enumerated() {
            let result: SMTPDeliveryResult
            switch await attempt(message, recipients, at: host, eightBit: eightBit) {
            case .success(let value):
                result = value
            case .failure(let failure):
                logger.info("\(message.id): \(failure.text)")
                last = failure
                continue
            }
            if index < hosts.count - 1, let refusal = Self.sessionRefusal(result, by: host) {
                logger.info("\(message.id): \(refusal.text); trying the next host")
                last = refusal
                continue
            }
            return recipients.indices.map { index in
                let reply = result.perRecipient[index].reply
                let outcome = reply.code / 100 == 2
                    ? DeliveryOutcome.delivered
                    : RemoteFailureText.failure(reply, from: host, stage: result.stages[index]).outcome
                log(message, recipients[index], relay: host.endpoint + (result.usedTLS ? ", tls=yes" : ""), outcome,
                    reply: reply)
                return outcome
            }
        }
        for recipient in recipients { log(message, recipient, relay: "none", last.outcome) }
        return Array(repeating: last.outcome, count: recipients.count)
    }

    /// A reply that refused the whole session before any recipient was considered: the
    /// greeting, EHLO/HELO, STARTTLS, or a temporary refusal of MAIL FROM. Postfix then
    /// tries the next MX host (`smtp_skip_5xx_greeting`, and 4xx site failures).
    static func sessionRefusal(_ result: SMTPDeliveryResult, by host: MailHost) -> DeliveryFailure? {
        guard let first = result.perRecipient.first, first.reply.code / 100 != 2,
              let stage = result.stages.first ?? nil,
              result.stages.allSatisfy({ $0 == stage }) else { return nil }
        switch stage {
        case .greeting, .ehlo, .helo, .startTLS: break
        case .mail where first.reply.code / 100 == 4: break
        default: return nil
        }
        return RemoteFailureText.failure(first.reply, from: host, stage: stage)
    }

    // MARK: Sessions

    /// One host: with STARTTLS when configured, and once more in plaintext if TLS failed.
    private func attempt(_ message: QueuedMessage, _ recipients: [EmailAddress], at host: MailHost,
                         eightBit: Bool) async -> Result<SMTPDeliveryResult, DeliveryFailure> {
        let first = await session(message, recipients, at: host, tls: settings.tls, eightBit: eightBit)
        guard case .failure(.client(.tlsFailed(let reason))) = first else { return first.mapError { $0.failure(host) } }
        logger.warning("\(message.id): TLS with \(host) failed (\(reason)); retrying in plaintext")
        return await session(message, recipients, at: host, tls: nil, eightBit: eightBit).mapError { $0.failure(host) }
    }

    private enum SessionError: Error {
        case client(SMTPClientError)
        case timedOut(Duration)

        func failure(_ host: MailHost) -> DeliveryFailure {
            switch self {
            case .client(let error): RemoteFailureText.failure(error, at: host)
            case .timedOut(let limit): RemoteFailureText.sessionTimeout(at: host, limit: limit)
            }
        }
    }

    /// One SMTP session, bounded by the transaction timeout: when it runs out the session
    /// task is cancelled, which closes the connection. A result that still arrives (the
    /// server answered the final dot just in time) is kept: it is the truth.
    private func session(_ message: QueuedMessage, _ recipients: [EmailAddress], at host: MailHost,
                         tls: SMTPClientTLS?, eightBit: Bool) async -> Result<SMTPDeliveryResult, SessionError> {
        let options = SMTPClientOptions(
            heloName: settings.heloName, connectTimeout: settings.connectTimeout,
            commandTimeout: settings.commandTimeout, eightBitMIME: eightBit, usePipelining: true,
            useXForward: false, tls: tls, tlsServerName: host.name)
        let envelope = Envelope(sender: message.sender, recipients: recipients)
        let limit = settings.connectTimeout + settings.transactionTimeout
        var logger = logger
        logger[metadataKey: "queue.id"] = "\(message.id)"
        let sessionLogger = logger
        return await withTaskGroup(of: Result<SMTPDeliveryResult, SessionError>?.self) { group in
            group.addTask {
                do throws(SMTPClientError) {
                    return .success(try await SMTPClient.deliver(
                        to: host.address.description, port: host.port, envelope: envelope, message: message.bytes,
                        options: options, logger: sessionLogger))
                } catch {
                    return .failure(.client(error))
                }
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            while let next = await group.next() {
                if let next, case .success = next { return next }
            }
            return .failure(.timedOut(settings.transactionTimeout))
        }
    }

    /// Postfix's delivery log line: `ID: to=<a>, relay=mx[1.2.3.4]:25, status=sent (250 …)`.
    private func log(_ message: QueuedMessage, _ recipient: EmailAddress, relay: String, _ outcome: DeliveryOutcome,
                     reply: SMTPReply? = nil) {
        switch outcome {
        case .delivered:
            logger.info("\(message.id): to=<\(recipient)>, relay=\(relay), status=sent (\(reply?.description ?? ""))")
        case .temporaryFailure(_, let text):
            logger.info("\(message.id): to=<\(recipient)>, relay=\(relay), status=deferred (\(text))")
        case .permanentFailure(_, let text):
            logger.info("\(message.id): to=<\(recipient)>, relay=\(relay), status=bounced (\(text))")
        }
    }
}
