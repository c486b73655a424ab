/// `esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)`
/// (RFC 4731; RFC 5267 ESORT uses it too; RFC 7162 adds MODSEQ).
public struct ESearchResponse: Hashable, Sendable {
    /// The tag of the command (`(TAG "a1")`).
    public var correlator: Tag?
    public var byUID: Bool
    public var min: UInt32?
    public var max: UInt32?
    /// `ALL`: for ESORT the numbers in sort order.
    public var all: NumberSet?
    public var count: Int?
    public var modSeq: UInt64?

    public init(
        correlator: Tag?, byUID: Bool, min: UInt32? = nil, max: UInt32? = nil, all: NumberSet? = nil, count: Int? = nil,
        modSeq: UInt64? = nil
    ) {
        self.correlator = correlator
        self.byUID = byUID
        self.min = min
        self.max = max
        self.all = all
        self.count = count
        self.modSeq = modSeq
    }
}
