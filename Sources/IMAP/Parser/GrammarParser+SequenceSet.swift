/// Sequence sets (RFC 9051 §9, RFC 5182 `$`).
extension GrammarParser {
    /// `sequence-set = (seq-number / seq-range) ["," sequence-set]` / `"$"`;
    /// `seq-range = seq-number ":" seq-number`
    mutating func sequenceSet() throws(GrammarError) -> SequenceSet {
        if take("$") { return .savedResult }
        var ranges: [SequenceRange] = []
        repeat {
            let first = try sequenceBound()
            let last = take(":") ? try sequenceBound() : first
            ranges.append(SequenceRange(first, last))
            try checkListSize(ranges.count)
        } while take(",")
        return .ranges(ranges)
    }

    /// `seq-number = nz-number / "*"`
    mutating func sequenceBound() throws(GrammarError) -> SequenceBound {
        if take("*") { return .last }
        return .number(try nzNumber())
    }

    /// Whether a sequence set starts here (a search key may be one).
    var atSequenceSet: Bool {
        guard let byte = peek() else { return false }
        return IMAPCharacter.isDigit(byte) || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "$")
    }
}
