/// A folder of a Maildir: the INBOX (the Maildir itself) or a Maildir++ subfolder stored
/// as `Maildir/.Name`, with `.` separating hierarchy levels (`.Archive.2024`), as Courier
/// and Dovecot's default Maildir++ layout do.
public struct MaildirFolder: Sendable, Hashable, CustomStringConvertible {
    /// The folder name as IMAP shows it (`INBOX`, `Junk`, `Archive.2024`).
    public let name: String
    /// `.Junk` on disk (non-ASCII in modified UTF-7, as Dovecot stores it); nil for INBOX.
    public let directoryName: String?

    public static let inbox = MaildirFolder(name: "INBOX", directoryName: nil)
    /// Where the filter files spam, the folder name Dovecot's default config creates.
    public static let junk = MaildirFolder(name: "Junk", directoryName: ".Junk")

    /// The folder called `name`; `INBOX` in any case is the INBOX.
    ///
    /// - Throws: `MailstoreError.invalidFolderName` for an empty name, an empty hierarchy
    ///   level (`a..b`, leading or trailing `.`), `/`, or a control character.
    public init(_ name: String) throws {
        if name.uppercased() == "INBOX" {
            self = .inbox
            return
        }
        let levels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid = !name.isEmpty && levels.allSatisfy { !$0.isEmpty }
            && name.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && $0 != "/" }
        guard valid else { throw MailstoreError.invalidFolderName(name) }
        self.init(name: name, directoryName: "." + ModifiedUTF7.encode(name))
    }

    private init(name: String, directoryName: String?) {
        self.name = name
        self.directoryName = directoryName
    }

    public var description: String { name }
}
