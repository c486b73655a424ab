/// What `CommandParser.next()` produces.
public enum CommandParserEvent: Hashable, Sendable {
    case command(TaggedCommand)
    /// Send `+ …` after `acceptLiteral()`, or refuse with `refuseLiteral()`.
    case literalRequested(LiteralRequest)
    /// One command failed; parsing continues with the next.
    case error(CommandParseError)
    /// An APPEND began: check the mailbox. Its messages follow, then `.appendFinished`, or an
    /// `.error` with its tag, after which the messages received so far must be dropped.
    case appendStarted(tag: Tag, mailbox: MailboxName)
    /// A message of the APPEND begins (a synchronizing literal's `.literalRequested` follows).
    case appendMessageStarted(AppendMessageStart)
    /// The next bytes of the message, in the order received (at most 64 KiB at a time).
    case appendMessageBytes([UInt8])
    /// All `size` bytes of the message have come.
    case appendMessageFinished
    /// The APPEND command is complete: save the messages and answer it.
    case appendFinished
    /// The `DONE` that ends IDLE (after `expectIdleDone()`).
    case idleDone
    /// A SASL response line (after `expectAuthenticationResponse()`).
    case authenticationResponse(AuthenticationResponse)
}
