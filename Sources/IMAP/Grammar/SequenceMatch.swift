/// RFC 7162 `seq-match-data`: message numbers and the UIDs the client knows for them.
public struct SequenceMatch: Hashable, Sendable {
    public var knownSequenceSet: SequenceSet
    public var knownUIDSet: SequenceSet

    public init(knownSequenceSet: SequenceSet, knownUIDSet: SequenceSet) {
        self.knownSequenceSet = knownSequenceSet
        self.knownUIDSet = knownUIDSet
    }
}
