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
    public private(set) var lineMode: LineMode = .command

    private enum State: Sendable {
        case line
        case awaitingLiteralDecision(size: Int)
        case literal(remaining: Int)
        /// The bytes of an APPEND message, handed on as they come.
        case streamingLiteral(remaining: Int)
        /// The rest of a command that already failed: read to its end, kept nowhere.
        case discarding
        case skippingLiteral(remaining: UInt64)
    }

    private var state = State.line
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var frame = CommandFrame()
    private var quotes = QuoteScanner()
    /// The last bytes of a line being discarded, enough to see a literal marker at its end.
    private var discardTail: [UInt8] = []
    /// The tag of the APPEND whose messages are streaming (nil outside one).
    private var appendTag: Tag?
    /// Events produced together (an APPEND's start, its first message, the literal request).
    private var pendingEvents: [CommandParserEvent] = []
    /// The most bytes one `.appendMessageBytes` carries.
    private static let appendChunkSize = 64 * 1024

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

    // MARK: - Lines

    /// Keeps the bytes of a line whose end has not arrived, within `maxLineLength`.
    private mutating func takePartialLine() -> CommandParserEvent? {
        let chunk = buffer[readIndex...]
        readIndex = buffer.count
        return append(lineBytes: chunk)
    }

    private mutating func append(lineBytes chunk: ArraySlice<UInt8>) -> CommandParserEvent? {
        frame.lineBytes += chunk.count
        guard frame.lineBytes <= limits.maxLineLength + 1 else {  // + 1: the CR before LF
            if frame.bytes.count < 64 { frame.bytes.append(contentsOf: chunk.prefix(64)) }  // for the tag
            let error = failCommand(.lineTooLong, "Too long command line")
            keepDiscardTail(chunk)
            return error
        }
        quotes.scan(chunk)
        frame.bytes.append(contentsOf: chunk)
        return nil
    }

    private mutating func takeLineEnd(at lineEnd: Int) -> CommandParserEvent? {
        let chunk = buffer[readIndex..<lineEnd]
        readIndex = lineEnd + 1
        if let error = append(lineBytes: chunk) {
            finishDiscardedLine()
            return error
        }
        if frame.bytes.last == UInt8(ascii: "\r"), frame.bytes.count > frame.lineStart { frame.bytes.removeLast() }
        switch lineMode {
        case .idleDone:
            return finishIdleLine()
        case .authenticationResponse:
            return finishAuthenticationLine()
        case .command:
            break
        }
        if !quotes.inQuote, let marker = LiteralMarker.atEnd(of: frame.currentLine) {
            if appendTag != nil || frame.head.commandName == "APPEND" { return takeAppendMarker(marker) }
            return takeLiteralMarker(marker)
        }
        if let tag = appendTag {
            return finishAppend(tag: tag)
        }
        guard !frame.bytes.isEmpty else {
            startNextCommand()  // Dovecot ignores empty lines.
            return nil
        }
        let result = GrammarParser.parseCommand(frame: frame, limits: limits)
        startNextCommand()
        switch result {
        case .success(let command): return .command(command)
        case .failure(let error): return .error(error)
        }
    }

    private mutating func takeLiteralMarker(_ marker: LiteralMarker) -> CommandParserEvent? {
        let limit =
            marker.synchronization == .minus ? min(limits.maxNonSynchronizingMinusLiteral, limits.maxLiteralSize) : limits.maxLiteralSize
        let fits = marker.size <= UInt64(limit) && UInt64(frame.literalBytes) + marker.size <= UInt64(limits.maxCommandSize)
        guard fits else {
            let nonSynchronizing = marker.synchronization != .synchronizing
            // The client sends a non-synchronizing literal anyway: read it and drop it.
            return failCommand(
                .literalTooLarge(size: marker.size, nonSynchronizing: nonSynchronizing), "Literal too large",
                thenState: nonSynchronizing ? .skippingLiteral(remaining: marker.size) : .line)
        }
        let size = Int(marker.size)
        guard marker.synchronization == .synchronizing else {
            frame.literalStarts.insert(frame.bytes.count)
            frame.literalBytes += size
            state = .literal(remaining: size)
            return nil
        }
        let head = frame.head
        // A command that is already wrong gets its BAD now instead of a continuation
        // (RFC 9051 §7.5 lets the server answer a literal announcement with BAD).
        guard head.tag != nil else { return failCommand(.syntax, "Missing tag", thenState: .line) }
        guard let name = head.commandName, GrammarParser.commandNames.contains(name) else {
            let name = head.commandName ?? ""
            return failCommand(name.isEmpty ? .syntax : .unknownCommand(name), "Unknown command", thenState: .line)
        }
        state = .awaitingLiteralDecision(size: size)
        return .literalRequested(
            LiteralRequest(tag: head.tag, commandName: head.commandName, size: size, isBinary: marker.isBinary))
    }

    // MARK: - APPEND

    /// A literal announced in an APPEND: the mailbox name's (collected like any literal) or
    /// a message's (streamed).
    private mutating func takeAppendMarker(_ marker: LiteralMarker) -> CommandParserEvent? {
        let nonSynchronizing = marker.synchronization != .synchronizing
        let limit =
            marker.synchronization == .minus ? min(limits.maxNonSynchronizingMinusLiteral, limits.maxLiteralSize) : limits.maxLiteralSize
        let failedState: State = nonSynchronizing ? .skippingLiteral(remaining: marker.size) : .line
        guard marker.size <= UInt64(limit) else {
            return failCommand(.literalTooLarge(size: marker.size, nonSynchronizing: nonSynchronizing), "Literal too large", thenState: failedState)
        }
        let message: AppendMessageStart
        if let tag = appendTag {
            switch GrammarParser.parseAppendContinuation(frame: frame, marker: marker, tag: tag, limits: limits) {
            case .success(let start): message = start
            case .failure(let error): return failCommand(error.kind, error.message, thenState: failedState)
            }
        } else {
            switch GrammarParser.parseAppendStart(frame: frame, marker: marker, limits: limits) {
            case .success(.mailboxLiteral):
                return takeLiteralMarker(marker)
            case .success(.firstMessage(let tag, let mailbox, let start)):
                appendTag = tag
                pendingEvents.append(.appendStarted(tag: tag, mailbox: mailbox))
                message = start
            case .failure(let error):
                return failCommand(error.kind, error.message, thenState: failedState)
            }
        }
        frame.reset()
        quotes.reset()
        pendingEvents.append(.appendMessageStarted(message))
        if nonSynchronizing {
            state = .streamingLiteral(remaining: message.size)
        } else {
            state = .awaitingLiteralDecision(size: message.size)
            pendingEvents.append(
                .literalRequested(LiteralRequest(tag: appendTag, commandName: "APPEND", size: message.size, isBinary: message.isBinary)))
        }
        return pendingEvents.removeFirst()
    }

    /// The line after an APPEND's last message: empty ends the command.
    private mutating func finishAppend(tag: Tag) -> CommandParserEvent {
        let rest = frame.bytes
        startNextCommand()
        guard rest.isEmpty else {
            let catenate = rest.starts(with: Array(" CATENATE".utf8)) || rest.starts(with: Array(" catenate".utf8))
            return .error(CommandParseError(
                tag: tag, kind: .syntax, message: catenate ? "CATENATE is not supported" : "Unexpected text after the APPEND messages"))
        }
        return .appendFinished
    }

    private mutating func finishIdleLine() -> CommandParserEvent {
        let line = frame.bytes
        startNextCommand()
        lineMode = .command
        do {
            try CommandParser.parseIdleDone(line[...])
            return .idleDone
        } catch {
            return .error(error)
        }
    }

    private mutating func finishAuthenticationLine() -> CommandParserEvent {
        let line = frame.bytes
        startNextCommand()
        lineMode = .command
        do {
            return .authenticationResponse(try CommandParser.parseAuthenticationLine(line[...]))
        } catch {
            return .error(error)
        }
    }

    // MARK: - Failure and recovery

    /// Reports `kind` for the command being read and discards the rest of it (by default
    /// up to its end; `.line` when the client sends nothing more of it).
    private mutating func failCommand(
        _ kind: CommandParseError.Kind, _ message: String, thenState: State = .discarding
    ) -> CommandParserEvent {
        let tag = appendTag ?? frame.head.tag
        startNextCommand()
        state = thenState
        lineMode = .command
        return .error(CommandParseError(tag: tag, kind: kind, message: message))
    }

    private mutating func keepDiscardTail(_ bytes: ArraySlice<UInt8>) {
        discardTail.append(contentsOf: bytes.suffix(32))
        if discardTail.count > 32 { discardTail.removeFirst(discardTail.count - 32) }
    }

    /// A discarded line ended: a non-synchronizing literal announced at its end still comes
    /// and is skipped; anything else ends the failed command.
    private mutating func finishDiscardedLine() {
        if discardTail.last == UInt8(ascii: "\r") { discardTail.removeLast() }
        let marker = LiteralMarker.atEnd(of: discardTail[...])
        discardTail.removeAll(keepingCapacity: true)
        if let marker, marker.synchronization != .synchronizing {
            state = .skippingLiteral(remaining: marker.size)
        } else {
            state = .line
        }
    }

    private mutating func startNextCommand() {
        frame.reset()
        quotes.reset()
        appendTag = nil
        state = .line
    }

    private mutating func compactBuffer() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 16)
            readIndex = 0
        } else if readIndex > 4096 && readIndex > buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }
}
