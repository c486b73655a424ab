/// `namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace` (RFC 2342):
/// personal, other users', shared; an empty list is sent as `NIL`.
public struct NamespaceResponse: Hashable, Sendable {
    public var personal: [Namespace]
    public var otherUsers: [Namespace]
    public var shared: [Namespace]

    public init(personal: [Namespace], otherUsers: [Namespace] = [], shared: [Namespace] = []) {
        self.personal = personal
        self.otherUsers = otherUsers
        self.shared = shared
    }
}
