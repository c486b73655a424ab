/// The optional metadata item of a MODSEQ search key (RFC 7162 §3.1.5).
public struct ModSeqEntry: Hashable, Sendable {
    public enum EntryType: String, Hashable, Sendable {
        case `private` = "PRIV"
        case shared = "SHARED"
        case all = "ALL"
    }
    public var name: [UInt8]
    public var type: EntryType

    public init(name: [UInt8], type: EntryType) {
        self.name = name
        self.type = type
    }
}
