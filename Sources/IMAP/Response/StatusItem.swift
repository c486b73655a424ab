/// One `status-att-val`: the item and its value (nil is `NIL`, only for APPENDLIMIT: no limit).
public struct StatusItem: Hashable, Sendable {
    public var attribute: StatusAttribute
    public var value: UInt64?

    public init(_ attribute: StatusAttribute, _ value: UInt64?) {
        self.attribute = attribute
        self.value = value
    }
}
