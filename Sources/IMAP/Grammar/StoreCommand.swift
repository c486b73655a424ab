/// STORE / UID STORE (RFC 9051 §6.4.6) with RFC 7162 `UNCHANGEDSINCE`.
public struct StoreCommand: Hashable, Sendable {
    public enum Operation: Hashable, Sendable {
        case replace, add, remove
    }

    public var byUID: Bool
    public var set: SequenceSet
    public var unchangedSince: UInt64?
    public var operation: Operation
    /// `.SILENT`: no untagged FETCH for the change.
    public var silent: Bool
    public var flags: [Flag]

    public init(
        byUID: Bool = false, set: SequenceSet, unchangedSince: UInt64? = nil, operation: Operation, silent: Bool = false,
        flags: [Flag]
    ) {
        self.byUID = byUID
        self.set = set
        self.unchangedSince = unchangedSince
        self.operation = operation
        self.silent = silent
        self.flags = flags
    }
}
