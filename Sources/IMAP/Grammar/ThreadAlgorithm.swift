/// `thread-alg`: the two RFC 5256 defines; another is a syntax error (BAD).
public enum ThreadAlgorithm: String, Hashable, Sendable {
    case orderedSubject = "ORDEREDSUBJECT"
    case references = "REFERENCES"
}
