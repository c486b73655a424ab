/// A SELECT/EXAMINE parameter (RFC 4466 `select-param`); any other is a syntax error (BAD).
public enum SelectParameter: Hashable, Sendable {
    /// RFC 7162 `CONDSTORE`.
    case condStore
    /// RFC 7162 `QRESYNC (uidvalidity modseq [known-uids [seq-match-data]])`.
    case qresync(QResyncParameter)
}

/// The arguments of `QRESYNC` (RFC 7162 §3.2.5).
public struct QResyncParameter: Hashable, Sendable {
    public var uidValidity: UInt32
    public var modSeq: UInt64
    public var knownUIDs: SequenceSet?
    /// `(known-sequence-set known-uid-set)`.
    public var sequenceMatch: SequenceMatch?

    public init(uidValidity: UInt32, modSeq: UInt64, knownUIDs: SequenceSet? = nil, sequenceMatch: SequenceMatch? = nil) {
        self.uidValidity = uidValidity
        self.modSeq = modSeq
        self.knownUIDs = knownUIDs
        self.sequenceMatch = sequenceMatch
    }
}

/// RFC 7162 `seq-match-data`: message numbers and the UIDs the client knows for them.
public struct SequenceMatch: Hashable, Sendable {
    public var knownSequenceSet: SequenceSet
    public var knownUIDSet: SequenceSet

    public init(knownSequenceSet: SequenceSet, knownUIDSet: SequenceSet) {
        self.knownSequenceSet = knownSequenceSet
        self.knownUIDSet = knownUIDSet
    }
}
