/// What `CommandParser.next()` produces.
public enum CommandParserEvent: Hashable, Sendable {
    case command(TaggedCommand)
    /// Send `+ …` after `acceptLiteral()`, or refuse with `refuseLiteral()`.
    case literalRequested(LiteralRequest)
    /// One command failed; parsing continues with the next.
    case error(CommandParseError)
    /// The `DONE` that ends IDLE (after `expectIdleDone()`).
    case idleDone
    /// A SASL response line (after `expectAuthenticationResponse()`).
    case authenticationResponse(AuthenticationResponse)
}
