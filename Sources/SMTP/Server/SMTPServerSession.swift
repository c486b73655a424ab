import NetworkService
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
        /// Ask the connection policy about `pendingPolicyRequest` (a MAIL FROM), then call
        /// `mailChecked`.
        case checkMail
        /// Ask the connection policy about `pendingPolicyRequest` (a RCPT), then call
        /// `recipientChecked`.
        case checkRecipient
        /// Ask the connection policy about DATA, then call `dataChecked`.
        case checkData
        /// Write the replies so far, switch the connection to TLS (dropping whatever
        /// plaintext the client sent after STARTTLS: RFC 3207 §5, CVE-2011-0411), then call
        /// `tlsStarted` or, when the handshake fails, close.
        case startTLS
    }

    private enum Phase: Sendable, Equatable {
        case command
        /// Waiting for the policy's answer to a MAIL, RCPT or DATA.
        case checkingPolicy
        case startingTLS
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
    private var declaredSize: Int?
    private var forwarded = ClientIdentity()
    private var forwardSeen = false
    private var errorCount = 0
    private var junkCommands = 0
    private var recipientAttempts = 0
    private var peer: ClientIdentity
    private let localPort: Int?
    /// The negotiated TLS, once STARTTLS succeeded.
    public private(set) var tls: TLSInfo?
    /// The client sent commands ahead where RFC 2920 does not allow it (sticky, as Postfix).
    public private(set) var pipelinedIllegally = false
    /// The transaction waiting for the handler while in `.delivering`.
    public private(set) var pendingTransaction: SMTPTransaction?
    /// The question for the policy while a `.checkRecipient` or `.checkData` is out.
    public private(set) var pendingPolicyRequest: SMTPPolicyRequest?

    public init(settings: SMTPServerSettings, peerAddress: String?, localPort: Int?) {
        self.settings = settings
        self.peer = ClientIdentity(address: peerAddress)
        self.localPort = localPort
    }

    public var isClosed: Bool { phase == .closed }

    /// Postfix's sleep-on-anything: once the client made `softErrorLimit` errors without
    /// delivering mail, every reply waits the error sleep time.
    public var isSlowedDown: Bool { errorCount >= settings.softErrorLimit }

    /// Postfix `smtpd_junk_command_limit`: NOOP, RSET, VRFY beyond this count as errors.
    static let junkCommandLimit = 100

    /// The client's verified host name (the MX looks it up before the greeting).
    public mutating func setClientHostname(_ name: String?) {
        peer.hostname = name
    }

    // MARK: events

    /// The connection is open: the greeting (RFC 5321 §4.2 220, RFC 2033 §4.1 for LMTP).
    public func greeting() -> SMTPReply {
        SMTPReply(220, nil, settings.banner ?? "\(settings.hostname) \(settings.lmtp ? "LMTP" : "ESMTP")")
    }

    /// The client talked before the greeting: counted as illegal pipelining (what
    /// `reject_unauth_pipelining` and Postfix's pregreet test look for).
    public mutating func clientSpokeEarly() {
        pipelinedIllegally = true
    }

    /// One command line arrived. `moreInputBuffered`: the client had already sent more
    /// after this line, which RFC 2920 allows only to ESMTP clients and never after a
    /// command that must end a group (EHLO, HELO, DATA, STARTTLS, QUIT, NOOP, VRFY).
    public mutating func received(line: [UInt8], moreInputBuffered: Bool = false) -> [Action] {
        guard phase == .command else { return [] }
        let command: SMTPCommand
        do {
            command = try SMTPCommand.parse(line[...])
        } catch {
            return fail(error.reply)
        }
        if moreInputBuffered && (!esmtp || command.endsPipelineGroup) { pipelinedIllegally = true }
        return handle(command)
    }

    /// The policy's answer to the pending MAIL FROM: nil accepts it.
    public mutating func mailChecked(_ refusal: SMTPReply?) -> [Action] {
        guard phase == .checkingPolicy, let request = pendingPolicyRequest, request.recipient == nil, sender == nil,
              let address = request.sender
        else { return [] }
        phase = .command
        pendingPolicyRequest = nil
        if let refusal {
            bodyType = nil
            declaredSize = nil
            return fail(refusal)
        }
        sender = address
        return [.reply(SMTPReply(250, "2.1.0", "Ok"))]
    }

    /// The policy's answer to the pending RCPT: nil accepts it.
    public mutating func recipientChecked(_ refusal: SMTPReply?) -> [Action] {
        guard phase == .checkingPolicy, let recipient = pendingPolicyRequest?.recipient else { return [] }
        phase = .command
        pendingPolicyRequest = nil
        if let refusal { return fail(refusal) }
        recipients.append(recipient)
        return [.reply(SMTPReply(250, "2.1.5", "Ok"))]
    }

    /// The policy's answer to DATA: nil lets the message come.
    public mutating func dataChecked(_ refusal: SMTPReply?) -> [Action] {
        guard phase == .checkingPolicy, pendingPolicyRequest != nil else { return [] }
        phase = .command
        pendingPolicyRequest = nil
        if let refusal { return fail(refusal) }
        return startData()
    }

    /// The TLS handshake finished: RFC 3207 §4.2, everything learnt before is forgotten
    /// and the client starts again with EHLO.
    public mutating func tlsStarted(_ info: TLSInfo) {
        guard phase == .startingTLS else { return }
        tls = info
        greetedAs = nil
        esmtp = false
        resetTransaction()
        phase = .command
    }

    /// A command line exceeded the length limit.
    public mutating func receivedOverlongLine() -> [Action] {
        fail(SMTPReply(500, "5.5.2", "Error: line too long"))
    }

    /// The end-of-data marker arrived; `message` is nil when it exceeded the size limit.
    /// - Parameter refusal: the message arrived but cannot be taken (the I/O layer's
    ///   `MessageMemoryBudget.refusal`); the transaction is over, as after a message too big.
    public mutating func received(message: [UInt8]?, size: Int, refusal: SMTPReply? = nil) -> [Action] {
        guard phase == .data, let transaction = transaction(message: message ?? []) else { return [] }
        guard message != nil, refusal == nil else {
            let reply = refusal ?? SMTPReply(552, "5.3.4", "Error: message file too big")
            let count = recipients.count
            resetTransaction()
            phase = .command
            // RFC 2033 §4.2: LMTP answers the end of data once per accepted recipient.
            return Array(repeating: .reply(reply), count: settings.lmtp ? count : 1)
        }
        pendingTransaction = transaction
        phase = .delivering
        return [.deliver]
    }

    /// The transaction whose message is being received, its message still empty (for the
    /// handler's trace header); nil outside DATA.
    public var transactionInData: SMTPTransaction? {
        phase == .data ? transaction(message: []) : nil
    }

    private func transaction(message: [UInt8]) -> SMTPTransaction? {
        guard let sender else { return nil }
        // With XFORWARD, Postfix's word stands, including "unknown": falling back to the
        // direct peer would record Postfix itself as the client.
        var client = forwarded
        if !forwardSeen {
            client.address = peer.address
            client.helo = greetedAs
            client.protocolName = protocolName
        }
        if !forwardSeen { client.hostname = peer.hostname }
        return SMTPTransaction(
            envelope: Envelope(sender: sender, recipients: recipients, client: client),
            message: message, protocolName: protocolName, peerAddress: peer.address,
            localPort: localPort, body: bodyType, tls: tls)
    }

    /// The handler finished with the pending transaction.
    public mutating func deliveryFinished(_ outcome: SMTPDeliveryOutcome) -> [Action] {
        guard phase == .delivering else { return [] }
        let count = recipients.count
        pendingTransaction = nil
        resetTransaction()
        phase = .command
        if outcome.accepted { // Postfix: the limits are for clients that deliver nothing
            errorCount = 0
            junkCommands = 0
        }
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

    /// RFC 3848's `with` keywords.
    private var protocolName: String {
        if settings.lmtp { return tls == nil ? "LMTP" : "LMTPS" }
        if !esmtp { return "SMTP" }
        return tls == nil ? "ESMTP" : "ESMTPS"
    }

    private mutating func handle(_ command: SMTPCommand) -> [Action] {
        switch command {
        case .ehlo(let name) where !settings.lmtp, .lhlo(let name) where settings.lmtp:
            greetedAs = name.neuteredHostArgument
            esmtp = true
            resetTransaction()
            return [.reply(SMTPReply(code: 250, enhanced: nil, lines: [settings.hostname] + extensions))]
        case .helo(let name) where !settings.lmtp:
            greetedAs = name.neuteredHostArgument
            esmtp = false
            resetTransaction()
            return [.reply(SMTPReply(250, nil, settings.hostname))]
        case .helo, .ehlo, .lhlo:
            return fail(SMTPReply(500, "5.5.1", settings.lmtp ? "Error: use LHLO" : "Error: command not recognized"))
        case .mail(let address, let params):
            return mail(address, params)
        case .rcpt(let address, let params):
            // Only `<postmaster>` arrives without a domain (the codec refuses the rest).
            let qualified = address.domain.isEmpty && !address.isNull
                ? EmailAddress(uncheckedLocalPart: address.localPart, domain: settings.postmasterDomain ?? settings.hostname)
                : address
            return rcpt(qualified, params)
        case .data:
            guard sender != nil else { return fail(SMTPReply(503, "5.5.1", "Error: need MAIL command")) }
            guard !recipients.isEmpty else {
                return recipientAttempts > 0
                    ? fail(SMTPReply(554, "5.5.1", "Error: no valid recipients"))
                    : fail(SMTPReply(503, "5.5.1", "Error: need RCPT command"))
            }
            if settings.checksPolicy {
                pendingPolicyRequest = policyRequest(recipient: nil)
                phase = .checkingPolicy
                return [.checkData]
            }
            return startData()
        case .rset:
            resetTransaction()
            return junk(SMTPReply(250, "2.0.0", "Ok"))
        case .noop:
            return junk(SMTPReply(250, "2.0.0", "Ok"))
        case .quit:
            phase = .closed
            return [.reply(SMTPReply(221, "2.0.0", "Bye")), .close]
        case .vrfy:
            junkCommands += 1
            return fail(SMTPReply(502, "5.5.1", "VRFY command is disabled"))
        case .xforward(let attributes):
            return xforward(attributes)
        case .auth:
            return fail(SMTPReply(503, "5.5.1", "Error: authentication not enabled"))
        case .starttls where settings.offersSTARTTLS && !settings.lmtp:
            guard tls == nil else { return fail(SMTPReply(554, "5.5.1", "Error: TLS already active")) }
            phase = .startingTLS
            return [.reply(SMTPReply(220, "2.0.0", "Ready to start TLS")), .startTLS]
        case .starttls, .expn, .help, .bdat, .unknown:
            return fail(SMTPReply(502, "5.5.2", "Error: command not recognized"))
        }
    }

    private mutating func startData() -> [Action] {
        phase = .data
        return [.reply(SMTPReply(354, nil, "End data with <CR><LF>.<CR><LF>")), .beginData]
    }

    private func policyRequest(recipient: EmailAddress?) -> SMTPPolicyRequest {
        SMTPPolicyRequest(helo: greetedAs, sender: sender, recipient: recipient, acceptedRecipients: recipients.count,
                          declaredSize: declaredSize, pipelinedIllegally: pipelinedIllegally, tls: tls)
    }

    private var extensions: [String] {
        var list = ["PIPELINING"]
        if settings.maxMessageSize > 0 { list.append("SIZE \(settings.maxMessageSize)") }
        if settings.offersSTARTTLS && tls == nil { list.append("STARTTLS") }
        list += ["ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8"]
        if settings.acceptXForward { list.append("XFORWARD NAME ADDR PROTO HELO SOURCE") }
        return list
    }

    private mutating func mail(_ address: EmailAddress, _ params: [String: String]) -> [Action] {
        if settings.heloRequired && greetedAs == nil {
            return fail(SMTPReply(503, "5.5.1", "Error: send HELO/EHLO first"))
        }
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
        bodyType = params["BODY"]?.uppercased()
        declaredSize = params["SIZE"].flatMap { Int($0) }
        if settings.checksPolicy {
            // The sender is taken once the policy agrees (Postfix checks queue space here).
            var request = policyRequest(recipient: nil)
            request.sender = address
            pendingPolicyRequest = request
            phase = .checkingPolicy
            return [.checkMail]
        }
        sender = address
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
        recipientAttempts += 1
        if settings.checksPolicy {
            pendingPolicyRequest = policyRequest(recipient: address)
            phase = .checkingPolicy
            return [.checkRecipient]
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
            case "NAME": forwarded.hostname = value.flatMap { $0.lowercased() == "unknown" ? nil : $0.neuteredHostArgument }
            case "ADDR": forwarded.address = value.map { $0.uppercased().hasPrefix("IPV6:") ? String($0.dropFirst(5)) : $0 }
            case "PROTO": forwarded.protocolName = value
            case "HELO": forwarded.helo = value?.neuteredHostArgument
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
        recipientAttempts = 0
        declaredSize = nil
        bodyType = nil
        forwarded = ClientIdentity()
        forwardSeen = false
    }

    /// A failed command counts toward the limits (the I/O layer slows the replies down from
    /// the soft one on); at the hard one Postfix says 421 and hangs up.
    private mutating func fail(_ reply: SMTPReply) -> [Action] {
        errorCount += 1
        if errorCount >= settings.hardErrorLimit {
            phase = .closed
            return [.reply(reply), .reply(SMTPReply(421, "4.7.0", "\(settings.hostname) Error: too many errors")), .close]
        }
        return [.reply(reply)]
    }

    /// A successful junk command; past the junk limit it still counts as an error.
    private mutating func junk(_ reply: SMTPReply) -> [Action] {
        junkCommands += 1
        return junkCommands > Self.junkCommandLimit ? fail(reply) : [.reply(reply)]
    }
}
