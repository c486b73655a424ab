/// Mailbox names and LIST patterns.
extension GrammarParser {
    /// `mailbox = "INBOX" / astring`
    mutating func mailbox() throws(GrammarError) -> MailboxName {
        MailboxName(try astring())
    }

    /// `list-mailbox = 1*list-char / string`
    mutating func listMailbox() throws(GrammarError) -> [UInt8] {
        if peek(is: "\"") || peek(is: "{") { return try string() }
        let bytes = take(while: IMAPCharacter.isListChar)
        guard !bytes.isEmpty else { throw .syntax("Expected a mailbox pattern") }
        return Array(bytes)
    }
}
