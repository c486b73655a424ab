import Foundation

/// Which entries `QuarantineStore.list` returns; every field left nil matches all.
public struct QuarantineFilter: Sendable, Equatable {
    /// Only this category.
    public var category: QuarantineCategory?
    /// Only entries quarantined at or after this time.
    public var since: Date?
    /// At most this many entries (the newest ones). Nil or ≤ 0 means no limit.
    public var limit: Int?

    public init(category: QuarantineCategory? = nil, since: Date? = nil, limit: Int? = nil) {
        self.category = category
        self.since = since
        self.limit = limit
    }
}
