/// A `setquota-resource` of SETQUOTA (RFC 9208): resource name (upper-cased) and limit.
public struct QuotaLimit: Hashable, Sendable {
    public var resource: String
    public var limit: UInt64

    public init(resource: String, limit: UInt64) {
        self.resource = resource
        self.limit = limit
    }
}
