/// `namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) ")"`
public struct Namespace: Hashable, Sendable {
    public var prefix: [UInt8]
    public var delimiter: Character?

    public init(prefix: String, delimiter: Character?) {
        self.prefix = Array(prefix.utf8)
        self.delimiter = delimiter
    }
}
