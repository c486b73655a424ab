import Foundation

/// A row of the `alias` table: mail for `address` goes to `target`. An address with
/// several targets has one row per target; `@domain` is a catch-all for that domain.
public struct AliasEntry: Sendable, Equatable {
    /// Lowercase `local@domain` or `@domain`.
    public var address: String
    /// Lowercase address in any domain.
    public var target: String
    public var active: Bool
    public var created: Date
}
