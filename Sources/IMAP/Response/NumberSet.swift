/// Concrete message numbers or UIDs the server sends (`sequence-set` without `*`): search
/// results, VANISHED, APPENDUID/COPYUID, MODIFIED. Ranges keep their order, because
/// COPYUID pairs source and destination UIDs by position (RFC 4315 §3).
public struct NumberSet: Hashable, Sendable {
    public var ranges: [ClosedRange<UInt32>]

    public init(ranges: [ClosedRange<UInt32>]) { self.ranges = ranges }

    /// Runs of consecutive numbers become ranges, in the order given.
    public init(_ numbers: some Sequence<UInt32>) {
        var ranges: [ClosedRange<UInt32>] = []
        for number in numbers {
            if let last = ranges.last, last.upperBound != .max, last.upperBound + 1 == number {
                ranges[ranges.count - 1] = last.lowerBound...number
            } else {
                ranges.append(number...number)
            }
        }
        self.ranges = ranges
    }

    public var isEmpty: Bool { ranges.isEmpty }
}
