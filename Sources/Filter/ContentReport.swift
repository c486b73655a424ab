import SpamEngine

/// Everything the checks found in one message; the decision is made from this alone.
public struct ContentReport: Sendable {
    public var virusNames: [String] = []
    /// Human-readable reasons, such as the offending attachment name.
    public var bannedNames: [String] = []
    public var spam: SpamVerdict = .empty
    /// Parts no check could look into, one line each:
    /// `undecipherable: Heuristics.Encrypted.Zip, invoices.zip` (also in `bannedNames`
    /// when `[banned] undecipherable = "banned"`).
    public var undecipherable: [String] = []
    /// Header-section problems (8-bit bytes, over-long lines, garbage lines).
    public var badHeaders: [String] = []
    public var category: ContentCategory = .clean

    public init() {}

    /// amavisd-new's parenthesised detail in log lines and notices:
    /// `INFECTED (Eicar-Test-Signature)`, `BANNED (.exe,x.pdf.exe)`; for mail passed with
    /// undecipherable parts, the note: `CLEAN (undecipherable: Heuristics.Encrypted.Zip, a.zip)`.
    public var detail: String? {
        switch category {
        case .virus: virusNames.joined(separator: ", ")
        case .banned: bannedNames.joined(separator: ", ")
        case .badHeader: badHeaders.first
        default: undecipherable.isEmpty ? nil : undecipherable.joined(separator: ", ")
        }
    }
}
