/// Why one command could not be parsed. The parser has already skipped the rest of that
/// command, so the next command parses normally: one bad command never ends the session.
public struct CommandParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The command is not valid IMAP syntax (answer `<tag> BAD`, or `* BAD` without a tag).
        case syntax
        /// The command name is not one this codec knows.
        case unknownCommand(String)
        /// The command line (outside literals) exceeded `maxLineLength`. Dovecot answers
        /// `* BYE Too long command line` and closes; the parser itself would carry on.
        case lineTooLong
        /// A literal larger than the limit was announced. A synchronizing one was not sent
        /// (no continuation); a non-synchronizing one was read and dropped.
        case literalTooLarge(size: UInt64, nonSynchronizing: Bool)
        /// Parentheses or NOT/OR nested deeper than `maxNestingDepth`.
        case nestingTooDeep
        /// A list with more than `maxListItems` items.
        case tooManyItems
    }

    /// The tag, when the command got that far: the reply is `<tag> BAD …` rather than `* BAD …`.
    public var tag: Tag?
    public var kind: Kind
    /// What was wrong, for the client (no input is echoed beyond the command's own words).
    public var message: String

    public init(tag: Tag?, kind: Kind, message: String) {
        self.tag = tag
        self.kind = kind
        self.message = message
    }

    /// Dovecot closes the connection after an over-long line or a non-synchronizing literal
    /// it refused: the client cannot be told to stop sending.
    public var closesConnection: Bool {
        switch kind {
        case .lineTooLong: true
        case .literalTooLarge(_, let nonSynchronizing): nonSynchronizing
        default: false
        }
    }

    public var description: String {
        "\(tag.map { "\($0) " } ?? "")\(message)"
    }
}
