/// `"<" number "." nz-number ">"`: the first octet and how many.
public struct Partial: Hashable, Sendable {
    public var offset: UInt32
    public var length: UInt32

    public init(offset: UInt32, length: UInt32) {
        self.offset = offset
        self.length = length
    }
}
