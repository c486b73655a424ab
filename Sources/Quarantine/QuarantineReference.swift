import MoatCore

/// How an admin may name a quarantined message: its bare `MailID`, or the file name the
/// logs print (`quarantine: virus-Ab3…`), with any category's prefix.
public enum QuarantineReference {
    /// The `MailID` in `text`: with a known category's prefix dropped when what follows
    /// is a whole generated ID. IDs may themselves contain `-`, but a prefixed name is
    /// longer than any bare ID Moat makes, so the two cannot be confused.
    public static func mailID(_ text: String) -> String {
        guard let dash = text.firstIndex(of: "-"), QuarantineCategory(filePrefix: text[..<dash]) != nil else {
            return text
        }
        let rest = String(text[text.index(after: dash)...])
        return rest.utf8.count == MailID.generatedLength && MailID.isWellFormed(rest) ? rest : text
    }
}
