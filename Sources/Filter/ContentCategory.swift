/// What a message is, by amavisd-new's ranking: the first that applies wins
/// (virus > banned > spam > bad-header > clean).
public enum ContentCategory: Int, Sendable, Comparable, CaseIterable {
    case clean = 0
    case badHeader
    /// Score at or above tag2 but below kill: tagged and passed (amavisd-new's SPAMMY).
    case spammy
    /// Score at or above kill level.
    case spam
    case banned
    case virus

    public static func < (a: ContentCategory, b: ContentCategory) -> Bool { a.rawValue < b.rawValue }

    /// The word amavisd-new logs: `Passed CLEAN`, `Blocked INFECTED`, …
    public var logName: String {
        switch self {
        case .clean: "CLEAN"
        case .badHeader: "BAD-HEADER"
        case .spammy: "SPAMMY"
        case .spam: "SPAM"
        case .banned: "BANNED"
        case .virus: "INFECTED"
        }
    }
}
