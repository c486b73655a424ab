/// THREAD / UID THREAD (RFC 5256).
public struct ThreadCommand: Hashable, Sendable {
    public var byUID: Bool
    public var algorithm: ThreadAlgorithm
    public var charset: String
    public var key: SearchKey

    public init(byUID: Bool = false, algorithm: ThreadAlgorithm, charset: String, key: SearchKey) {
        self.byUID = byUID
        self.algorithm = algorithm
        self.charset = charset
        self.key = key
    }
}

/// `thread-alg`: the two RFC 5256 defines; another is a syntax error (BAD).
public enum ThreadAlgorithm: String, Hashable, Sendable {
    case orderedSubject = "ORDEREDSUBJECT"
    case references = "REFERENCES"
}
