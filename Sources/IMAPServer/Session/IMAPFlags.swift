import IMAP
import Mailstore

/// Flags between the wire (`Flag`) and the store (`MessageFlags` plus keywords).
enum IMAPFlags {
    static let system: [Flag] = [.answered, .flagged, .deleted, .seen, .draft]

    static func wire(_ flags: MessageFlags, keywords: [String]) -> [Flag] {
        var out: [Flag] = []
        if flags.contains(.answered) { out.append(.answered) }
        if flags.contains(.flagged) { out.append(.flagged) }
        if flags.contains(.deleted) { out.append(.deleted) }
        if flags.contains(.seen) { out.append(.seen) }
        if flags.contains(.draft) { out.append(.draft) }
        return out + keywords.map { .keyword($0) }
    }

    /// The store's view of flags a client sent; `\Recent` and other `\` extensions are not
    /// settable (RFC 9051 §2.3.2) and are reported back as the error.
    static func store(_ flags: [Flag]) -> Result<(MessageFlags, [String]), UnsettableFlag> {
        var system: MessageFlags = []
        var keywords: [String] = []
        for flag in flags {
            switch flag {
            case .answered: system.insert(.answered)
            case .flagged: system.insert(.flagged)
            case .deleted: system.insert(.deleted)
            case .seen: system.insert(.seen)
            case .draft: system.insert(.draft)
            case .keyword(let name): if !keywords.contains(name) { keywords.append(name) }
            case .extension: return .failure(UnsettableFlag(flag: flag))
            }
        }
        return .success((system, keywords))
    }
}

/// A flag a client may not set (`\Recent`, an unknown `\` flag).
struct UnsettableFlag: Error {
    let flag: Flag
}
