/// A message flag (RFC 9051 §2.3.2): a system flag, a keyword (`flag-keyword = atom`) or an
/// unknown `\`-flag (`flag-extension`). System flags compare case-insensitively, so they are
/// normalised when parsed; keywords keep the client's spelling.
public enum Flag: Hashable, Sendable {
    case answered
    case flagged
    case deleted
    case seen
    case draft
    /// `$Forwarded`, `$Junk`, `NonJunk`…
    case keyword(String)
    /// A `\`-flag this codec does not name (the text after the backslash), e.g. `Recent`.
    case `extension`(String)

    /// `\Recent`: only ever sent by the server (RFC 3501; gone in RFC 9051).
    public static let recent = Flag.extension("Recent")

    /// `\*` in PERMANENTFLAGS: clients may create keywords.
    public static let mayCreateKeywords = Flag.extension("*")

    /// Reads one flag from its wire spelling (`\Seen`, `$Junk`).
    public init(wire: String) {
        guard wire.first == "\\" else {
            self = .keyword(wire)
            return
        }
        let name = String(wire.dropFirst())
        switch name.lowercased() {
        case "answered": self = .answered
        case "flagged": self = .flagged
        case "deleted": self = .deleted
        case "seen": self = .seen
        case "draft": self = .draft
        case "recent": self = .recent
        default: self = .extension(name)
        }
    }

    /// The wire spelling.
    public var wire: String {
        switch self {
        case .answered: "\\Answered"
        case .flagged: "\\Flagged"
        case .deleted: "\\Deleted"
        case .seen: "\\Seen"
        case .draft: "\\Draft"
        case .keyword(let name): name
        case .extension(let name): "\\" + name
        }
    }

    /// The name is an atom (`\*` aside), so the flag can be sent as it is.
    var isValidOnWire: Bool {
        switch self {
        case .answered, .flagged, .deleted, .seen, .draft: true
        case .keyword(let name): !name.isEmpty && name.utf8.allSatisfy(IMAPCharacter.isAtomChar)
        case .extension(let name): name == "*" || (!name.isEmpty && name.utf8.allSatisfy(IMAPCharacter.isAtomChar))
        }
    }
}
