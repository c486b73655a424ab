/// Command lines: framing them, finding the literal each announces, handing a complete
/// command to the grammar, and the IDLE and SASL lines.
extension CommandParser {
    /// Keeps the bytes of a line whose end has not arrived, within `maxLineLength`.
    mutating func takePartialLine() -> CommandParserEvent? {
        let chunk = buffer[readIndex...]
        readIndex = buffer.count
        return append(lineBytes: chunk)
    }

    mutating func append(lineBytes chunk: ArraySlice<UInt8>) -> CommandParserEvent? {
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

    mutating func takeLineEnd(at lineEnd: Int) -> CommandParserEvent? {
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

    mutating func takeLiteralMarker(_ marker: LiteralMarker) -> CommandParserEvent? {
        let limit = limits.maxLiteralSize(marker.synchronization)
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

    mutating func finishIdleLine() -> CommandParserEvent {
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

    mutating func finishAuthenticationLine() -> CommandParserEvent {
        let line = frame.bytes
        startNextCommand()
        lineMode = .command
        do {
            return .authenticationResponse(try CommandParser.parseAuthenticationLine(line[...]))
        } catch {
            return .error(error)
        }
    }
}
