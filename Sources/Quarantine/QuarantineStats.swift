/// How many messages of one category the quarantine holds and their original size.
public struct QuarantineStats: Sendable, Equatable, Codable {
    public var count: Int
    /// Sum of `QuarantineEntry.size` (original message bytes, envelope headers excluded).
    public var bytes: Int

    public init(count: Int = 0, bytes: Int = 0) {
        self.count = count
        self.bytes = bytes
    }
}
