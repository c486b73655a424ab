/// One end of a sequence range: a number (message sequence number or UID) or `*`, the
/// largest number in use (RFC 9051 §9 `seq-number`).
public enum SequenceBound: Hashable, Sendable {
    case number(UInt32)
    case last
}
