/// What happens to a message of a category, as amavisd-new's `D_PASS`, `D_DISCARD`,
/// `D_BOUNCE` and `D_REJECT` final destinies.
public enum Destiny: String, Sendable, CaseIterable, Codable {
    /// Deliver (re-inject), with headers added.
    case pass
    /// Accept and drop silently (quarantine still applies).
    case discard
    /// Accept, drop, and send a DSN to the sender (never for spam or a null sender).
    case bounce
    /// Refuse during the SMTP dialogue with 554 5.7.0.
    case reject
}
