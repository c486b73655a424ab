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
