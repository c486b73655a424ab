/// A grammar failure inside one command; `GrammarParser.parseCommand` adds the tag.
struct GrammarError: Error, Sendable {
    var kind: CommandParseError.Kind
    var message: String

    static func syntax(_ message: String) -> GrammarError { GrammarError(kind: .syntax, message: message) }
}
