/// Why a message was quarantined. The raw values are what the index stores and what the
/// CLI accepts (`moat quarantine list --category bad-header`).
public enum QuarantineCategory: String, Sendable, Codable, CaseIterable {
    case virus
    case banned
    case spam
    case badHeader = "bad-header"
    case clean

    /// The file name prefix, as amavisd-new's default quarantine methods name their files
    /// (`local:virus-%m`, `local:banned-%m`, `local:spam-%m`, `local:badh-%m`,
    /// `local:clean-%m`), so existing habits (`ls spam-*`) keep working.
    public var filePrefix: String {
        switch self {
        case .virus: "virus"
        case .banned: "banned"
        case .spam: "spam"
        case .badHeader: "badh"
        case .clean: "clean"
        }
    }

    /// The category whose files start with `prefix`, the inverse of `filePrefix`.
    public init?(filePrefix prefix: Substring) {
        guard let match = Self.allCases.first(where: { $0.filePrefix == prefix }) else { return nil }
        self = match
    }
}
