/// A STORE request's effect (RFC 9051 §6.4.6): flags and keywords to add, remove, or set.
public struct FlagChange: Sendable, Hashable {
    public enum Operation: Sendable, Hashable {
        /// `+FLAGS`
        case add
        /// `-FLAGS`
        case remove
        /// `FLAGS`
        case replace
    }

    public var operation: Operation
    public var flags: MessageFlags
    /// Keywords as the client spelled them; matched case-insensitively against existing
    /// ones (as Dovecot does), so `junk` adds nothing to a message that has `Junk`.
    public var keywords: [String]

    public init(_ operation: Operation, flags: MessageFlags, keywords: [String] = []) {
        self.operation = operation
        self.flags = flags
        self.keywords = keywords
    }
}

/// What a STORE did.
public struct FlagChangeResult: Sendable, Hashable {
    /// Messages whose flags changed, in UID order, with their new state and MODSEQ.
    public var changed: [IndexedMessage]
    /// UIDs not changed because their MODSEQ was above `UNCHANGEDSINCE` (RFC 7162 §3.1.3:
    /// the `[MODIFIED …]` response code), ascending.
    public var modified: [MessageUID]

    public init(changed: [IndexedMessage], modified: [MessageUID]) {
        self.changed = changed
        self.modified = modified
    }
}
