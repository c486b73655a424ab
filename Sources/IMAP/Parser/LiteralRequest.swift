/// A synchronizing literal `{n}` was announced: the client waits for `+ ` before sending it.
/// The server looks at size and command and calls `CommandParser.acceptLiteral()` (then
/// sends the continuation) or `refuseLiteral()` (then answers the tag, e.g.
/// `NO [TOOBIG]`), after which the client sends the next command, not the literal.
public struct LiteralRequest: Hashable, Sendable {
    public var tag: Tag?
    /// The command name, upper-cased, when readable (`APPEND`, `LOGIN`…; `UID` stays `UID`).
    public var commandName: String?
    public var size: Int
    /// `~{n}`: RFC 3516 literal8.
    public var isBinary: Bool

    public init(tag: Tag?, commandName: String?, size: Int, isBinary: Bool) {
        self.tag = tag
        self.commandName = commandName
        self.size = size
        self.isBinary = isBinary
    }
}
