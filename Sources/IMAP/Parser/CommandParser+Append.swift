/// APPEND: its messages stream instead of being collected with the command.
extension CommandParser {
    /// A literal announced in an APPEND: the mailbox name's (collected like any literal) or
    /// a message's (streamed).
    mutating func takeAppendMarker(_ marker: LiteralMarker) -> CommandParserEvent? {
        let nonSynchronizing = marker.synchronization != .synchronizing
        let limit = limits.maxLiteralSize(marker.synchronization)
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
    mutating func finishAppend(tag: Tag) -> CommandParserEvent {
        let rest = frame.bytes
        startNextCommand()
        guard rest.isEmpty else {
            let catenate = rest.starts(with: Array(" CATENATE".utf8)) || rest.starts(with: Array(" catenate".utf8))
            return .error(CommandParseError(
                tag: tag, kind: .syntax, message: catenate ? "CATENATE is not supported" : "Unexpected text after the APPEND messages"))
        }
        return .appendFinished
    }
}
