// SMTPClientTransaction - the client side of one SMTP/LMTP mail transaction, sans-I/O.
//
// Events in (`received(_:)` for each reply, `failed(_:)` when the connection breaks),
// actions out (`Action`); the NIO glue in SMTPClientConnection performs them and owns
// all timing. The dialogue:
//
//     S: 220 greeting
//     C: EHLO name            (LMTP: LHLO; 5xx to EHLO → HELO, RFC 5321 §4.1.4)
//     C: STARTTLS             (only when asked for and offered; after 220 the connection
//                              upgrades, then EHLO again, RFC 3207 §4.2; a refusal
//                              continues in plaintext, as Postfix's `may` level does)
//     C: XFORWARD NAME=… …    (only if offered; a refusal is only a warning, as in Postfix)
//     C: MAIL FROM:<s> [SIZE=n] [BODY=8BITMIME] [SMTPUTF8]
//     C: RCPT TO:<r>          (one per recipient)
//     C: DATA                 (only if MAIL and at least one RCPT were accepted)
//     C: <message> .          (dot-stuffed by the connection)
//     S: 250 (SMTP) | one reply per accepted recipient (LMTP, RFC 2033 §4.2)
//     C: QUIT
//
// With PIPELINING (RFC 2920) XFORWARD, MAIL, all RCPTs and DATA go out in one write and
// the replies are matched in order. If DATA then gets 354 although nothing was accepted,
// a lone "." ends the (empty, recipient-less) data phase (RFC 2920 §3.1).
// No RSET is ever sent: one transaction per connection, and QUIT aborts a transaction
// (RFC 5321 §4.1.1.10). A 421 anywhere means the server is closing: close, no QUIT.

import MoatCore

public struct SMTPClientTransaction: Sendable {
    public struct Configuration: Sendable {
        /// Our name in EHLO/LHLO/HELO.
        public var heloName: String
        /// Speak LMTP (LHLO, a reply per recipient after the data).
        public var lmtp: Bool
        public var envelope: Envelope
        /// Sent as `SIZE=` when the server offers SIZE.
        public var messageSize: Int?
        /// Ask for `BODY=8BITMIME` (sent only when the server offers 8BITMIME).
        public var eightBitMIME: Bool
        /// Use PIPELINING when offered.
        public var usePipelining: Bool
        /// Send XFORWARD when offered.
        public var useXForward: Bool
        /// Send STARTTLS when offered (the connection must be able to carry out `.startTLS`).
        public var startTLS: Bool

        public init(heloName: String, lmtp: Bool = false, envelope: Envelope, messageSize: Int? = nil,
                    eightBitMIME: Bool = false, usePipelining: Bool = true, useXForward: Bool = true,
                    startTLS: Bool = false) {
            self.heloName = heloName
            self.lmtp = lmtp
            self.envelope = envelope
            self.messageSize = messageSize
            self.eightBitMIME = eightBitMIME
            self.usePipelining = usePipelining
            self.useXForward = useXForward
            self.startTLS = startTLS
        }
    }

    /// What the connection must do next. After `.send`, `.sendMessage` and `.wait` it
    /// reads the next reply and passes it to `received(_:)`.
    public enum Action: Sendable, Equatable {
        /// Nothing to write; read the next reply (more pipelined replies are due).
        case wait
        /// Write these command lines (each followed by CRLF) in one go.
        case send([String])
        /// Write the dot-stuffed message and the final ".".
        case sendMessage
        /// The server accepted STARTTLS: run the TLS handshake (no reply is due), then
        /// report it with `tlsEstablished()`.
        case startTLS
        /// The outcome is final (`result`): write QUIT, read its reply (errors do not
        /// matter any more), then close.
        case quit
        /// The outcome is final, or the server is closing: close without QUIT.
        case close
    }

    /// A transaction command whose reply is pending.
    enum Command: Sendable, Equatable {
        case xforward(String)
        case mail(String)
        case rcpt(Int, String)
        case data

        var line: String {
            switch self {
            case .xforward(let line), .mail(let line), .rcpt(_, let line): line
            case .data: "DATA"
            }
        }

        var stage: SMTPClientStage {
            switch self {
            case .xforward: .xforward
            case .mail: .mail
            case .rcpt: .rcpt
            case .data: .data
            }
        }
    }

    enum State: Sendable {
        case greeting
        case ehlo
        case helo
        /// STARTTLS sent, its reply due.
        case startTLS
        /// The handshake runs; no reply may arrive.
        case tlsHandshake
        /// Waiting for replies to `awaiting`; `queue` holds commands not yet sent.
        case transaction
        /// The message is out; waiting for the reply (SMTP) or replies (LMTP) to the dot.
        case message
        /// A lone "." went out after an unwanted 354.
        case emptyData
        case quitting
        case done
        case failed
    }

    public let configuration: Configuration
    public private(set) var capabilities = SMTPClientCapabilities()
    /// Set once the outcome is final (with `.quit` or `.close`).
    public private(set) var result: SMTPDeliveryResult?

    private(set) var state: State = .greeting
    private var queue: [Command] = []
    private var awaiting: [Command] = []
    /// The reply that decided each recipient, and the stage it answered.
    private var outcomes: [(reply: SMTPReply, stage: SMTPClientStage)?]
    /// True once the TLS handshake completed.
    private var isTLS = false
    private var rcptReplies: [SMTPReply?]
    private var mailReply: SMTPReply?
    private var dataCommandReply: SMTPReply?
    private var dataReply: SMTPReply?
    /// LMTP: indices of accepted recipients whose post-data reply is still due.
    private var lmtpPending: [Int] = []
    /// LMTP: the post-data replies received so far, in order.
    private var lmtpReplies: [SMTPReply] = []
    private var queueID: String?
    private var warnings: [String] = []

    /// A new transaction, waiting for the server's greeting.
    public init(configuration: Configuration) {
        self.configuration = configuration
        self.outcomes = Array(repeating: nil, count: configuration.envelope.recipients.count)
        self.rcptReplies = Array(repeating: nil, count: configuration.envelope.recipients.count)
    }

    /// What the next reply answers: picks the timeout and names the stage in errors.
    public var expectedStage: SMTPClientStage {
        switch state {
        case .greeting: .greeting
        case .ehlo: .ehlo
        case .helo: .helo
        case .startTLS: .startTLS
        case .tlsHandshake: .tlsHandshake
        case .transaction: awaiting.first?.stage ?? .data
        case .message, .emptyData: .dataDone
        case .quitting, .done, .failed: .quit
        }
    }

    /// True once the outcome is final; later failures no longer matter.
    public var isFinished: Bool { result != nil }

    // MARK: - Events

    /// The TLS handshake after `.startTLS` completed: everything learnt before it is
    /// forgotten and the client greets again (RFC 3207 §4.2).
    public mutating func tlsEstablished() throws(SMTPClientError) -> Action {
        guard state == .tlsHandshake else {
            return try fail(.protocolViolation("internal: TLS established outside a STARTTLS handshake"))
        }
        isTLS = true
        capabilities = SMTPClientCapabilities()
        return sendEHLO()
    }

    /// The server's next reply arrived. A reply out of place is a protocol violation,
    /// handled like `failed(_:)`.
    public mutating func received(_ reply: SMTPReply) throws(SMTPClientError) -> Action {
        do {
            return try handle(reply)
        } catch {
            return try fail(error)
        }
    }

    private mutating func handle(_ reply: SMTPReply) throws(SMTPClientError) -> Action {
        switch state {
        case .greeting:
            try check(reply, allowing: [2, 4, 5])
            guard reply.code / 100 == 2 else { return endEarly(reply) }
            return sendEHLO()

        case .ehlo:
            try check(reply, allowing: [2, 4, 5])
            if reply.code / 100 == 2 {
                capabilities = SMTPClientCapabilities(ehloReply: reply)
                if configuration.startTLS && !isTLS && capabilities.supports("STARTTLS") {
                    state = .startTLS
                    return .send(["STARTTLS"])
                }
                return startTransaction()
            }
            // RFC 5321 §4.1.4: a server that does not know EHLO answers 5xx; try HELO.
            // LMTP has no HELO (RFC 2033 §4.1).
            if reply.code / 100 == 5 && !configuration.lmtp {
                state = .helo
                return .send(["HELO \(configuration.heloName)"])
            }
            return endEarly(reply)

        case .helo:
            try check(reply, allowing: [2, 4, 5])
            guard reply.code / 100 == 2 else { return endEarly(reply) }
            capabilities = SMTPClientCapabilities()
            return startTransaction()

        case .startTLS:
            try check(reply, allowing: [2, 4, 5])
            if reply.code == 220 {
                state = .tlsHandshake
                return .startTLS
            }
            if reply.code == 421 { return closeNow(reply, at: .startTLS) }
            // Opportunistic TLS (Postfix `may`): a refused STARTTLS leaves the session as
            // it was, in plaintext with the capabilities already announced.
            warnings.append("STARTTLS refused: \(reply)")
            return startTransaction()

        case .tlsHandshake:
            throw .protocolViolation("reply during the TLS handshake: \(reply)")

        case .transaction:
            return try transactionReply(reply)

        case .message:
            try check(reply, allowing: [2, 4, 5])
            if configuration.lmtp {
                let index = lmtpPending.removeFirst()
                outcomes[index] = (reply, .dataDone)
                lmtpReplies.append(reply)
                if queueID == nil && reply.code / 100 == 2 { queueID = SMTPDeliveryResult.queueID(in: reply) }
                if reply.code == 421 { return closeNow(reply, at: .dataDone) }
                return lmtpPending.isEmpty ? finishAndQuit() : .wait
            }
            dataReply = reply
            if reply.code / 100 == 2 { queueID = SMTPDeliveryResult.queueID(in: reply) }
            if reply.code == 421 { return closeNow(reply, at: .dataDone) }
            fillUndecided(with: reply, at: .dataDone)
            return finishAndQuit()

        case .emptyData:
            try check(reply, allowing: [2, 4, 5])
            dataReply = reply
            if reply.code == 421 { return closeNow(reply, at: .dataDone) }
            fillUndecided(with: reply, at: .dataDone)
            return finishAndQuit()

        case .quitting:
            state = .done
            return .close

        case .done, .failed:
            throw .protocolViolation("unexpected reply after the dialogue ended: \(reply)")
        }
    }

    /// The connection failed (timeout, close, I/O error, malformed reply). Throws the
    /// error unless the outcome is already final, or some recipients were already
    /// delivered (LMTP): then the undecided rest get a 451 and the result stands.
    public mutating func failed(_ error: SMTPClientError) throws(SMTPClientError) -> Action {
        try fail(error)
    }

    // MARK: - Transitions

    private mutating func sendEHLO() -> Action {
        state = .ehlo
        return .send(["\(configuration.lmtp ? "LHLO" : "EHLO") \(configuration.heloName)"])
    }

    private mutating func startTransaction() -> Action {
        let envelope = configuration.envelope
        guard !envelope.recipients.isEmpty else { return finishAndQuit() }
        var commands: [Command] = []
        if configuration.useXForward {
            let lines = SMTPXForward.commands(for: envelope.client, advertised: capabilities.xforwardAttributes)
            commands += lines.map(Command.xforward)
        }
        commands.append(.mail(mailCommand()))
        for (index, recipient) in envelope.recipients.enumerated() {
            commands.append(.rcpt(index, "RCPT TO:\(recipient.bracketed)"))
        }
        commands.append(.data)
        state = .transaction
        if configuration.usePipelining && capabilities.pipelining {
            awaiting = commands
            return .send(commands.map(\.line))
        }
        queue = commands
        return sendNextQueued()
    }

    private func mailCommand() -> String {
        let envelope = configuration.envelope
        var line = "MAIL FROM:\(envelope.sender.bracketed)"
        // RFC 1870 §6: the size estimate, when SIZE is offered.
        if let size = configuration.messageSize, capabilities.size != nil { line += " SIZE=\(size)" }
        if configuration.eightBitMIME && capabilities.eightBitMIME { line += " BODY=8BITMIME" }
        // RFC 6531 §3.4: only when an address needs it. Without the extension the
        // addresses go out as they are and the server decides.
        let needsUTF8 = ([envelope.sender] + envelope.recipients).contains { address in
            address.description.utf8.contains { $0 >= 0x80 }
        }
        if needsUTF8 && capabilities.smtpUTF8 { line += " SMTPUTF8" }
        return line
    }

    private mutating func sendNextQueued() -> Action {
        let command = queue.removeFirst()
        awaiting = [command]
        return .send([command.line])
    }

    private mutating func transactionReply(_ reply: SMTPReply) throws(SMTPClientError) -> Action {
        guard let command = awaiting.first else {
            throw .protocolViolation("reply without a pending command: \(reply)")
        }
        try check(reply, allowing: command == .data ? [3, 4, 5] : [2, 4, 5])
        awaiting.removeFirst()
        let ok = reply.code / 100 == 2
        switch command {
        case .xforward(let line):
            // Postfix smtp_proto.c only warns: XFORWARD is advisory.
            if !ok { warnings.append("XFORWARD refused: \(reply) (in reply to \(line))") }
        case .mail:
            mailReply = reply
            if !ok { fillUndecided(with: reply, at: .mail) }
        case .rcpt(let index, _):
            rcptReplies[index] = reply
            if !ok && outcomes[index] == nil { outcomes[index] = (reply, .rcpt) }
        case .data:
            dataCommandReply = reply
        }
        if reply.code == 421 { return closeNow(reply, at: command.stage) }
        if !awaiting.isEmpty { return .wait }
        if command == .data { return afterDataCommand(reply) }
        // Not pipelined: decide what to send next.
        if let mailReply, mailReply.code / 100 != 2 { return finishAndQuit() }
        if queue.first == .data && acceptedIndices.isEmpty { return finishAndQuit() }
        return sendNextQueued()
    }

    private mutating func afterDataCommand(_ reply: SMTPReply) -> Action {
        guard reply.code / 100 == 3 else {
            fillUndecided(with: reply, at: .data)
            return finishAndQuit()
        }
        let accepted = acceptedIndices
        if mailAccepted && !accepted.isEmpty {
            state = .message
            lmtpPending = accepted
            return .sendMessage
        }
        // 354 with nothing to deliver (pipelined). If the server claims to hold
        // recipients anyway, a "." could deliver an empty message: hang up instead.
        if rcptReplies.contains(where: { $0.map { $0.code / 100 == 2 } == true }) {
            return closeNow(nil, at: .data)
        }
        state = .emptyData
        return .send(["."])
    }

    private var mailAccepted: Bool { mailReply.map { $0.code / 100 == 2 } ?? false }

    /// Recipients accepted at RCPT and not decided otherwise (by a MAIL refusal).
    private var acceptedIndices: [Int] {
        rcptReplies.indices.filter { index in
            outcomes[index] == nil && rcptReplies[index].map { $0.code / 100 == 2 } == true
        }
    }

    /// Greeting, EHLO or HELO refused: the reply is everyone's outcome.
    private mutating func endEarly(_ reply: SMTPReply) -> Action {
        let stage = expectedStage
        if reply.code == 421 { return closeNow(reply, at: stage) }
        fillUndecided(with: reply, at: stage)
        return finishAndQuit()
    }

    /// `reply`, answering `stage`, decides every recipient still undecided.
    private mutating func fillUndecided(with reply: SMTPReply, at stage: SMTPClientStage) {
        for index in outcomes.indices where outcomes[index] == nil {
            outcomes[index] = (reply, stage)
        }
    }

    private mutating func finishAndQuit() -> Action {
        result = makeResult()
        state = .quitting
        return .quit
    }

    /// The server is closing (421) or we must hang up: everything undecided gets `reply`.
    private mutating func closeNow(_ reply: SMTPReply?, at stage: SMTPClientStage) -> Action {
        fillUndecided(with: reply ?? SMTPReply(451, "4.4.2", "transaction aborted by the client"), at: stage)
        result = makeResult()
        state = .done
        return .close
    }

    private mutating func fail(_ error: SMTPClientError) throws(SMTPClientError) -> Action {
        switch state {
        case .quitting, .done:
            state = .done
            return .close
        case .failed:
            throw error
        default:
            let stage = expectedStage
            if outcomes.contains(where: { $0.map { $0.reply.code / 100 == 2 } == true }) {
                fillUndecided(with: SMTPReply(451, "4.4.2", "lost connection with server during \(stage): \(error)"),
                              at: stage)
                result = makeResult()
                state = .done
                return .close
            }
            state = .failed
            throw error
        }
    }

    private func check(_ reply: SMTPReply, allowing classes: Set<Int>) throws(SMTPClientError) {
        guard classes.contains(reply.code / 100) else {
            throw .protocolViolation("unexpected reply to \(expectedStage): \(reply)")
        }
    }

    private func makeResult() -> SMTPDeliveryResult {
        let recipients = configuration.envelope.recipients
        let fallback = SMTPReply(451, "4.3.0", "no reply for this recipient")
        return SMTPDeliveryResult(
            perRecipient: recipients.indices.map { (recipients[$0], outcomes[$0]?.reply ?? fallback) },
            stages: outcomes.map { $0?.stage },
            rcptReplies: rcptReplies, mailReply: mailReply, dataCommandReply: dataCommandReply,
            dataReply: configuration.lmtp
                ? lmtpReplies.first(where: { $0.code / 100 == 2 }) ?? lmtpReplies.first ?? dataReply
                : dataReply,
            queueID: queueID,
            capabilities: capabilities, usedTLS: isTLS, warnings: warnings)
    }
}
