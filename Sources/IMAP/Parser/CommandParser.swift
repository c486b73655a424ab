/// The sans-I/O IMAP command parser: bytes in, `CommandParserEvent`s out.
///
/// Feed it whatever the connection read (any split, one byte at a time included), then call
/// `next()` until it returns nil (more input needed):
///
///     parser.feed(bytes)
///     while let event = parser.next() { … }
///
/// Commands are framed first (lines and the literals they announce), then parsed whole by
/// the grammar. A synchronizing literal stops the parser at `.literalRequested` until the
/// server calls `acceptLiteral()` or `refuseLiteral()`. After IDLE or AUTHENTICATE the server
/// calls `expectIdleDone()` or `expectAuthenticationResponse()` before asking for the next
/// event, because the next line is not a command.
///
/// APPEND messages are not collected: each one streams as `.appendMessageStarted`, chunks of
/// `.appendMessageBytes` and `.appendMessageFinished`, between `.appendStarted` and
/// `.appendFinished`, so a message of any size up to `maxLiteralSize` costs no memory here.
///
/// Bounds (`ParserLimits`): a line outside literals, each literal and the literals of one
/// command together, nesting and list sizes. Any other command and its literals are held in
/// memory until complete, so memory per connection is at most `maxCommandSize +
/// maxLineLength` plus what the server fed and has not yet asked events for.
public struct CommandParser: Sendable {
    /// What the next line is.
    public enum LineMode: Hashable, Sendable {
        case command
        case idleDone
        case authenticationResponse
    }

    /// A call that the parser's state does not allow (a server bug, not a client error).
    public struct StateError: Error, Hashable, Sendable {
        public var message: String
    }

    public var limits: ParserLimits
    public internal(set) var lineMode: LineMode = .command

    enum State: Sendable {
        case line
        case awaitingLiteralDecision(size: Int)
        case literal(remaining: Int)
        /// The bytes of an APPEND message, handed on as they come.
        case streamingLiteral(remaining: Int)
        /// The rest of a command that already failed: read to its end, kept nowhere.
        case discarding
        case skippingLiteral(remaining: UInt64)
    }

    var state = State.line
    var buffer: [UInt8] = []
    var readIndex = 0
    var frame = CommandFrame()
    var quotes = QuoteScanner()
    /// The last bytes of a line being discarded, enough to see a literal marker at its end.
    var discardTail: [UInt8] = []
    /// The tag of the APPEND whose messages are streaming (nil outside one).
    var appendTag: Tag?
    /// Events produced together (an APPEND's start, its first message, the literal request).
    var pendingEvents: [CommandParserEvent] = []
    /// The most bytes one `.appendMessageBytes` carries.
    static let appendChunkSize = 64 * 1024

    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
    }

    /// Appends received bytes; nothing is parsed until `next()`.
    public mutating func feed<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// True while a `.literalRequested` waits for `acceptLiteral()` or `refuseLiteral()`.
    public var isAwaitingLiteralDecision: Bool {
        if case .awaitingLiteralDecision = state { return true }
        return false
    }

    /// Bytes fed but not yet consumed.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Literal bytes the parser still waits for (kept, streamed or skipped).
    var remainingLiteralBytes: UInt64 {
        switch state {
        case .literal(let remaining), .streamingLiteral(let remaining): UInt64(remaining)
        case .skippingLiteral(let remaining): remaining
        default: 0
        }
    }

    /// Bytes the parser holds: the input buffer and the command being assembled.
    var heldByteCount: Int { buffer.count + frame.bytes.count + discardTail.count }

    /// The announced literal may come: the server now sends `+ …`.
    public mutating func acceptLiteral() throws(StateError) {
        guard case .awaitingLiteralDecision(let size) = state else {
            throw StateError(message: "acceptLiteral() without a literal request")
        }
        if appendTag != nil {
            state = .streamingLiteral(remaining: size)
            return
        }
        frame.literalStarts.insert(frame.bytes.count)
        frame.literalBytes += size
        state = .literal(remaining: size)
    }

    /// The announced literal is refused: the client will not send it, so the command is
    /// dropped (an APPEND with the messages before it) and the next line is a new command.
    /// The server answers the tag itself.
    public mutating func refuseLiteral() throws(StateError) {
        guard case .awaitingLiteralDecision = state else {
            throw StateError(message: "refuseLiteral() without a literal request")
        }
        startNextCommand()
    }

    /// Drops every byte fed but not yet parsed, and any command half read. After STARTTLS
    /// the server calls it (or refuses the command when `bufferedByteCount` is not 0), so
    /// that plaintext sent behind STARTTLS is never taken as protected input
    /// (CVE-2011-0411, Postfix and Dovecot do the same).
    public mutating func discardBufferedInput() {
        buffer.removeAll(keepingCapacity: false)
        readIndex = 0
        discardTail.removeAll()
        pendingEvents.removeAll()
        startNextCommand()
        lineMode = .command
    }

    /// The next line ends IDLE: it yields `.idleDone` (or a syntax error when it is not `DONE`).
    public mutating func expectIdleDone() { lineMode = .idleDone }

    /// The next line is a SASL response: it yields `.authenticationResponse`.
    public mutating func expectAuthenticationResponse() { lineMode = .authenticationResponse }

    /// The next event, or nil when more input is needed (or a literal decision is pending).
    public mutating func next() -> CommandParserEvent? {
        defer { compactBuffer() }
        if !pendingEvents.isEmpty { return pendingEvents.removeFirst() }
        while true {
            switch state {
            case .awaitingLiteralDecision:
                return nil
            case .streamingLiteral(let remaining):
                guard remaining > 0 else {
                    state = .line
                    return .appendMessageFinished
                }
                let count = min(remaining, buffer.count - readIndex, Self.appendChunkSize)
                guard count > 0 else { return nil }
                let chunk = Array(buffer[readIndex..<readIndex + count])
                readIndex += count
                state = .streamingLiteral(remaining: remaining - count)
                return .appendMessageBytes(chunk)
            case .literal(let remaining):
                let count = min(remaining, buffer.count - readIndex)
                frame.bytes.append(contentsOf: buffer[readIndex..<readIndex + count])
                readIndex += count
                guard count == remaining else {
                    state = .literal(remaining: remaining - count)
                    return nil
                }
                frame.lineStart = frame.bytes.count
                state = .line
            case .skippingLiteral(let remaining):
                let count = Int(min(remaining, UInt64(buffer.count - readIndex)))
                readIndex += count
                guard UInt64(count) == remaining else {
                    state = .skippingLiteral(remaining: remaining - UInt64(count))
                    return nil
                }
                state = .discarding
            case .line:
                guard let lineEnd = buffer[readIndex...].firstIndex(of: UInt8(ascii: "\n")) else {
                    return takePartialLine()
                }
                if let event = takeLineEnd(at: lineEnd) { return event }
            case .discarding:
                guard let lineEnd = buffer[readIndex...].firstIndex(of: UInt8(ascii: "\n")) else {
                    keepDiscardTail(buffer[readIndex...])
                    readIndex = buffer.count
                    return nil
                }
                keepDiscardTail(buffer[readIndex..<lineEnd])
                readIndex = lineEnd + 1
                finishDiscardedLine()
            }
        }
    }
}
