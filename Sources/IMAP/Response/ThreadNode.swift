/// One node of a THREAD result (RFC 5256 §4): a message (nil for a missing parent that only
/// groups its children) and its replies.
public struct ThreadNode: Hashable, Sendable {
    public var message: UInt32?
    public var children: [ThreadNode]

    public init(message: UInt32?, children: [ThreadNode] = []) {
        self.message = message
        self.children = children
    }
}
