/// `seq-range = seq-number ":" seq-number`; `3:1` and `1:3` are the same range
/// (RFC 9051 §9), so the order is kept as sent and `resolved` sorts it.
public struct SequenceRange: Hashable, Sendable {
    public var first: SequenceBound
    public var last: SequenceBound

    public init(_ first: SequenceBound, _ last: SequenceBound) {
        self.first = first
        self.last = last
    }

    public init(_ single: SequenceBound) { self.init(single, single) }

    /// The range as numbers low…high, `*` standing for `largest`.
    public func resolved(largest: UInt32) -> ClosedRange<UInt32> {
        func value(_ bound: SequenceBound) -> UInt32 {
            if case .number(let number) = bound { return number }
            return largest
        }
        let (a, b) = (value(first), value(last))
        return min(a, b)...max(a, b)
    }
}
