/// LIST, with RFC 5258 LIST-EXTENDED options (RFC 9051 §6.3.9).
public struct ListCommand: Hashable, Sendable {
    public var selectionOptions: [ListSelectionOption]
    public var reference: MailboxName
    /// One or more `list-mailbox` patterns (`%` and `*` are wildcards), as bytes.
    public var patterns: [[UInt8]]
    public var returnOptions: [ListReturnOption]

    public init(
        selectionOptions: [ListSelectionOption] = [], reference: MailboxName, patterns: [[UInt8]],
        returnOptions: [ListReturnOption] = []
    ) {
        self.selectionOptions = selectionOptions
        self.reference = reference
        self.patterns = patterns
        self.returnOptions = returnOptions
    }
}
