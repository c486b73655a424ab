/// The IMAP system flags a message can carry (RFC 9051 §2.3.2), stored in the Maildir file
/// name's info suffix with the letters of the Maildir spec, as Dovecot and Courier write them:
///
///     \Draft D   \Flagged F   \Answered R   \Seen S   \Deleted T
///
/// `\Recent` is not kept: IMAP4rev2 dropped it and Dovecot's Maildir never stored it.
public struct MessageFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let seen = MessageFlags(rawValue: 1 << 0)
    public static let answered = MessageFlags(rawValue: 1 << 1)
    public static let flagged = MessageFlags(rawValue: 1 << 2)
    public static let deleted = MessageFlags(rawValue: 1 << 3)
    public static let draft = MessageFlags(rawValue: 1 << 4)

    /// Every flag with its Maildir letter and its IMAP name, in letter order (the order a
    /// Maildir info suffix lists them).
    public static let all: [(flag: MessageFlags, letter: Character, imapName: String)] = [
        (.draft, "D", "\\Draft"), (.flagged, "F", "\\Flagged"), (.answered, "R", "\\Answered"),
        (.seen, "S", "\\Seen"), (.deleted, "T", "\\Deleted"),
    ]

    /// The flag a Maildir info letter stands for; nil for letters that are not IMAP system
    /// flags (`P` "passed", or keyword letters `a`…`z`).
    public init?(maildirLetter letter: Character) {
        guard let entry = Self.all.first(where: { $0.letter == letter }) else { return nil }
        self = entry.flag
    }

    /// The flag named `name` in IMAP (`\Seen`, any case); nil for anything else.
    public init?(imapName name: String) {
        guard let entry = Self.all.first(where: { $0.imapName.lowercased() == name.lowercased() }) else { return nil }
        self = entry.flag
    }

    /// The letters of these flags, sorted.
    public var maildirLetters: String { String(Self.all.filter { contains($0.flag) }.map(\.letter)) }

    /// The IMAP names of these flags, in letter order.
    public var imapNames: [String] { Self.all.filter { contains($0.flag) }.map(\.imapName) }
}
