/// `sequence-set` (RFC 9051 §9), or `$`, the result the last `SEARCH RETURN (SAVE)` kept
/// (RFC 5182).
public enum SequenceSet: Hashable, Sendable {
    case ranges([SequenceRange])
    case savedResult
}
