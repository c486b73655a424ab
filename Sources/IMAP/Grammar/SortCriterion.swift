/// `sort-criterion = ["REVERSE" SP] sort-key` (RFC 5256, RFC 5957 DISPLAY).
public struct SortCriterion: Hashable, Sendable {
    public enum Key: String, Hashable, Sendable {
        case arrival = "ARRIVAL"
        case cc = "CC"
        case date = "DATE"
        case from = "FROM"
        case size = "SIZE"
        case subject = "SUBJECT"
        case to = "TO"
        case displayFrom = "DISPLAYFROM"
        case displayTo = "DISPLAYTO"
    }

    public var reverse: Bool
    public var key: Key

    public init(reverse: Bool = false, _ key: Key) {
        self.reverse = reverse
        self.key = key
    }
}
