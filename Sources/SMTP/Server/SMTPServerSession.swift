import MoatCore

/// The server side of one SMTP or LMTP session as a value: events in, actions out
/// (RFC 5321 §4.1.4 command order, RFC 2033 for LMTP). It never touches a socket; the
/// connection handler feeds it lines and carries out what it returns.
public struct SMTPServerSession: Sendable {
    public enum Action: Sendable, Equatable {
        case reply(SMTPReply)
        /// Switch the decoder to message mode (after the 354 reply).
        case beginData
        /// Hand the transaction to the message handler, then call `deliveryFinished`.
        case deliver
        /// Close the connection after the replies before it are written.
        case close
    }

    private enum Phase: Sendable, Equatable {
        case command
        case data
        case delivering
        case closed
    }

    public let settings: SMTPServerSettings
    private var phase = Phase.command
    private var greetedAs: String?
    private var esmtp = false
    private var sender: EmailAddress?
    private var recipients: [EmailAddress] = []
    private var bodyType: String?
    private var forwarded = ClientIdentity()
    private var forwardSeen = false
    private var errorCount = 0
    private let peer: ClientIdentity
    private let localPort: Int?
    /// The transaction waiting for the handler while in `.delivering`.
    public private(set) var pendingTransaction: SMTPTransaction?

    public init(settings: SMTPServerSettings, peerAddress: String?, localPort: Int?) {
        self.settings = settings
        self.peer = ClientIdentity(address: peerAddress)
        self.localPort = localPort
    }

    public var isClosed: Bool { phase == .closed }

    // MARK: events

    /// The connection is open: the greeting (RFC 5321 §4.2 220, RFC 2033 §4.1 for LMTP).
    public func greeting() -> SMTPReply {
        SMTPReply(220, nil, "\(settings.hostname) \(settings.lmtp ? "LMTP" : "ESMTP")")
    }

    /// One command line arrived.
    public mutating func received(line: [UInt8]) -> [Action] {
        guard phase == .command else { return [] }
        let command: SMTPCommand
        do {
            command = try SMTPCommand.parse(line[...])
        } catch {
            return fail(error.reply)
        }
        return handle(command)
    }

    /// A command line exceeded the length limit.
    public mutating func receivedOverlongLine() -> [Action] {
        fail(SMTPReply(500, "5.5.2", "Error: line too long"))
    }

    /// The end-of-data marker arrived; `message` is nil when it exceeded the size limit.
    public mutating func received(message: [UInt8]?, size: Int) -> [Action] {
        guard phase == .data, let sender else { return [] }
        guard let message else {
            resetTransaction()
            phase = .command
            return [.reply(SMTPReply(552, "5.3.4", "Error: message file too big"))]
        }
        // With XFORWARD, Postfix's word stands, including "unknown": falling back to the
        // direct peer would record Postfix itself as the client.
        var client = forwarded
        if !forwardSeen {
            client.address = peer.address
            client.helo = greetedAs
            client.protocolName = protocolName
        }
        pendingTransaction = SMTPTransaction(
            envelope: Envelope(sender: sender, recipients: recipients, client: client),
            message: message, protocolName: protocolName, peerAddress: peer.address,
            localPort: localPort, body: bodyType)
        phase = .delivering
        return [.deliver]
    }

    /// The handler finished with the pending transaction.
    public mutating func deliveryFinished(_ outcome: SMTPDeliveryOutcome) -> [Action] {
        guard phase == .delivering else { return [] }
        let count = recipients.count
        pendingTransaction = nil
        resetTransaction()
        phase = .command
        switch outcome {
        case .single(let reply):
            return Array(repeating: .reply(reply), count: settings.lmtp ? count : 1)
        case .perRecipient(var replies):
            if settings.lmtp {
                // RFC 2033 §4.2: exactly one reply per accepted recipient, or the client hangs.
                let missing = SMTPReply(451, "4.3.0", "Error: no status for this recipient")
                replies = Array(replies.prefix(count)) + Array(repeating: missing, count: max(0, count - replies.count))
                return replies.map { .reply($0) }
            }
            // SMTP has one reply for DATA: success if any recipient was accepted.
            return [.reply(replies.first(where: \.isPositive) ?? replies.first
                ?? SMTPReply(451, "4.3.0", "Error: no recipients"))]
        }
    }

    /// What an idle session is told before it is closed (Postfix: `421 4.4.2 host Error:
    /// timeout exceeded`). The timer lives in the I/O layer, which writes this on its own.
    public var timeoutReply: SMTPReply {
        SMTPReply(421, "4.4.2", "\(settings.hostname) Error: timeout exceeded")
    }

    // MARK: commands

    private var protocolName: String { settings.lmtp ? "LMTP" : (esmtp ? "ESMTP" : "SMTP") }

    private mutating func handle(_ command: SMTPCommand) -> [Action] {
        switch command {
        case .ehlo(let name) where !settings.lmtp, .lhlo(let name) where settings.lmtp:
            greetedAs = name
            esmtp = true
            resetTransaction()
            return [.reply(SMTPReply(code: 250, enhanced: nil, lines: [settings.hostname] + extensions))]
        case .helo(let name) where !settings.lmtp:
            greetedAs = name
            esmtp = false
            resetTransaction()
            return [.reply(SMTPReply(250, nil, settings.hostname))]
        case .helo, .ehlo, .lhlo:
            return fail(SMTPReply(500, "5.5.1", settings.lmtp ? "Error: use LHLO" : "Error: command not recognized"))
        case .mail(let address, let params):
            return mail(address, params)
        case .rcpt(let address, let params):
            return rcpt(address, params)
        case .data:
            guard sender != nil else { return fail(SMTPReply(503, "5.5.1", "Error: need MAIL command")) }
            guard !recipients.isEmpty else { return fail(SMTPReply(503, "5.5.1", "Error: need RCPT command")) }
            phase = .data
            return [.reply(SMTPReply(354, nil, "End data with <CR><LF>.<CR><LF>")), .beginData]
        case .rset:
            resetTransaction()
            return [.reply(SMTPReply(250, "2.0.0", "Ok"))]
        case .noop:
            return [.reply(SMTPReply(250, "2.0.0", "Ok"))]
        case .quit:
            phase = .closed
            return [.reply(SMTPReply(221, "2.0.0", "Bye")), .close]
        case .vrfy:
            return fail(SMTPReply(502, "5.5.1", "VRFY command is disabled"))
        case .xforward(let attributes):
            return xforward(attributes)
        case .auth:
            return fail(SMTPReply(503, "5.5.1", "Error: authentication not enabled"))
        case .starttls, .expn, .help, .bdat, .unknown:
            return fail(SMTPReply(502, "5.5.2", "Error: command not recognized"))
        }
    }

    private var extensions: [String] {
        var list = ["PIPELINING"]
        if settings.maxMessageSize > 0 { list.append("SIZE \(settings.maxMessageSize)") }
        list += ["ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8"]
        if settings.acceptXForward { list.append("XFORWARD NAME ADDR PROTO HELO SOURCE") }
        return list
    }

    private mutating func mail(_ address: EmailAddress, _ params: [String: String]) -> [Action] {
        guard sender == nil else { return fail(SMTPReply(503, "5.5.1", "Error: nested MAIL command")) }
        for (key, value) in params {
            switch key {
            case "SIZE":
                guard let size = Int(value), size >= 0 else {
                    return fail(SMTPReply(501, "5.5.4", "Bad message size syntax"))
                }
                if settings.maxMessageSize > 0 && size > settings.maxMessageSize {
                    return fail(SMTPReply(552, "5.3.4", "Message size exceeds fixed limit"))
                }
            case "BODY":
                guard ["7BIT", "8BITMIME"].contains(value.uppercased()) else {
                    return fail(SMTPReply(501, "5.5.4", "Bad BODY keyword value"))
                }
            case "SMTPUTF8" where value.isEmpty:
                break
            case "RET", "ENVID", "AUTH":
                break // accepted and ignored, as Postfix does for a filter hop
            default:
                return fail(SMTPReply(555, "5.5.4", "Unsupported option: \(key)"))
            }
        }
        sender = address
        bodyType = params["BODY"]?.uppercased()
        return [.reply(SMTPReply(250, "2.1.0", "Ok"))]
    }

    private mutating func rcpt(_ address: EmailAddress, _ params: [String: String]) -> [Action] {
        guard sender != nil else { return fail(SMTPReply(503, "5.5.1", "Error: need MAIL command")) }
        for key in params.keys where !["NOTIFY", "ORCPT"].contains(key) {
            return fail(SMTPReply(555, "5.5.4", "Unsupported option: \(key)"))
        }
        guard recipients.count < settings.maxRecipients else {
            return [.reply(SMTPReply(452, "4.5.3", "Error: too many recipients"))]
        }
        recipients.append(address)
        return [.reply(SMTPReply(250, "2.1.5", "Ok"))]
    }

    private mutating func xforward(_ attributes: [(String, String)]) -> [Action] {
        guard settings.acceptXForward else { return fail(SMTPReply(502, "5.5.2", "Error: command not recognized")) }
        guard sender == nil else { return fail(SMTPReply(503, "5.5.1", "Error: MAIL transaction in progress")) }
        forwardSeen = true
        for (name, raw) in attributes {
            // Postfix sends [UNAVAILABLE] / [TEMPUNAVAIL] for what it does not know.
            let value: String? = raw.hasPrefix("[") && raw.hasSuffix("]") && raw.uppercased().contains("UNAVAIL") ? nil : raw
            switch name {
            case "NAME": forwarded.hostname = value.flatMap { $0.lowercased() == "unknown" ? nil : $0 }
            case "ADDR": forwarded.address = value.map { $0.uppercased().hasPrefix("IPV6:") ? String($0.dropFirst(5)) : $0 }
            case "PROTO": forwarded.protocolName = value
            case "HELO": forwarded.helo = value
            case "SOURCE": forwarded.source = value
            case "PORT", "IDENT": break
            default: return fail(SMTPReply(501, "5.5.4", "Bad XFORWARD attribute name: \(name)"))
            }
        }
        return [.reply(SMTPReply(250, "2.0.0", "Ok"))]
    }

    /// RFC 5321 §4.1.1.5: RSET, HELO/EHLO and the end of a transaction clear the envelope.
    /// XFORWARD attributes live for one transaction only (Postfix XFORWARD_README).
    private mutating func resetTransaction() {
        sender = nil
        recipients = []
        bodyType = nil
        forwarded = ClientIdentity()
        forwardSeen = false
    }

    /// A failed command counts toward the hard limit, after which Postfix says 421 and hangs up.
    private mutating func fail(_ reply: SMTPReply) -> [Action] {
        errorCount += 1
        if errorCount >= settings.hardErrorLimit {
            phase = .closed
            return [.reply(reply), .reply(SMTPReply(421, "4.7.0", "\(settings.hostname) Error: too many errors")), .close]
        }
        return [.reply(reply)]
    }
}
