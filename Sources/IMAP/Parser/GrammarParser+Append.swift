/// APPEND, read up to each message literal so that the framer can stream the message
/// (RFC 3501 §6.3.11, RFC 3502 MULTIAPPEND, RFC 3516 literal8).
extension GrammarParser {
    /// What comes before an APPEND's literal announcement.
    enum AppendPrefix: Hashable, Sendable {
        /// `tag APPEND {n}`: the literal is the mailbox name, not a message.
        case mailboxLiteral
        case firstMessage(tag: Tag, mailbox: MailboxName, message: AppendMessageStart)
    }

    /// `append = "APPEND" SP mailbox 1*append-message`, as far as the first message's literal
    /// marker, which ends `frame`.
    static func parseAppendStart(frame: CommandFrame, marker: LiteralMarker, limits: ParserLimits) -> Result<AppendPrefix, CommandParseError> {
        parseTagged(frame: frame, limits: limits) { parser, tag throws(GrammarError) in
            try parser.expect(word: "APPEND")
            try parser.space()
            if parser.atLiteralMarker() { return .mailboxLiteral }
            let mailbox = try parser.mailbox()
            return .firstMessage(tag: tag, mailbox: mailbox, message: try parser.appendMessageStart(marker))
        }
    }

    /// The next `append-message` of a MULTIAPPEND: `frame` is the text between the previous
    /// literal and this one's marker.
    static func parseAppendContinuation(
        frame: CommandFrame, marker: LiteralMarker, tag: Tag, limits: ParserLimits
    ) -> Result<AppendMessageStart, CommandParseError> {
        var parser = GrammarParser(frame: frame, limits: limits)
        do throws(GrammarError) {
            return .success(try parser.appendMessageStart(marker))
        } catch {
            return .failure(CommandParseError(tag: tag, kind: error.kind, message: error.message))
        }
    }

    /// `append-message = SP [flag-list SP] [date-time SP] (literal / literal8)`, up to the
    /// marker (`{n}`, `{n+}`, `{n-}` or `~{n}`) that ends the frame.
    private mutating func appendMessageStart(_ marker: LiteralMarker) throws(GrammarError) -> AppendMessageStart {
        try space()
        var message = AppendMessageStart(size: Int(marker.size), isBinary: marker.isBinary)
        if peek(is: "(") {
            message.flags = try flagList()
            try space()
        }
        if peek(is: "\"") {
            message.internalDate = try dateTime()
            try space()
        }
        guard atLiteralMarker() else {
            throw .syntax(take(word: "CATENATE") ? "CATENATE is not supported" : "Expected a message literal")
        }
        return message
    }

    /// The rest of the frame is exactly a literal marker.
    private func atLiteralMarker() -> Bool {
        var position = index
        func at(_ character: Character) -> Bool { position < bytes.count && bytes[position] == character.asciiValue }
        if at("~") { position += 1 }
        guard at("{") else { return false }
        position += 1
        let digitsStart = position
        while position < bytes.count, IMAPCharacter.isDigit(bytes[position]) { position += 1 }
        guard position > digitsStart else { return false }
        if at("+") || at("-") { position += 1 }
        return at("}") && position + 1 == bytes.count
    }
}
