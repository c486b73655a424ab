import SpamEngine

/// Everything the checks found in one message; the decision is made from this alone.
public struct ContentReport: Sendable {
    public var virusNames: [String] = []
    /// Human-readable reasons, such as the offending attachment name.
    public var bannedNames: [String] = []
    public var spam: SpamVerdict = .empty
    /// Header-section problems (8-bit bytes, over-long lines, garbage lines).
    public var badHeaders: [String] = []
    public var category: ContentCategory = .clean

    public init() {}

    /// amavisd-new's parenthesised detail in log lines and notices:
    /// `INFECTED (Eicar-Test-Signature)`, `BANNED (.exe,x.pdf.exe)`.
    public var detail: String? {
        switch category {
        case .virus: virusNames.joined(separator: ", ")
        case .banned: bannedNames.joined(separator: ", ")
        case .badHeader: badHeaders.first
        default: nil
        }
    }
}
