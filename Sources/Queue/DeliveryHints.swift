/// What the front end decided about a message that delivery must honour; stored in the
/// envelope file, so it is ours to trust (unlike headers a sender could forge).
public struct DeliveryHints: Codable, Sendable, Equatable {
    /// The content filter judged it spam (tag2 level or above): local mailboxes get it in
    /// their Junk folder.
    public var junk: Bool
    /// Accepted before the content filter had finished (its time budget ran out): the
    /// filter runs again before delivery.
    public var filterPending: Bool

    public init(junk: Bool = false, filterPending: Bool = false) {
        self.junk = junk
        self.filterPending = filterPending
    }

    public static let none = DeliveryHints()
}
