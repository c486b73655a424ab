/// One field of an RFC 2971 ID list: a name and its value (NIL is nil).
public struct IDParameter: Hashable, Sendable {
    public var name: [UInt8]
    public var value: [UInt8]?

    public init(name: [UInt8], value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ value: String?) {
        self.init(name: Array(name.utf8), value: value.map { Array($0.utf8) })
    }
}
