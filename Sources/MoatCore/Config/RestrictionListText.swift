/// A restriction list as written in the configuration, before the Policy module parses it:
/// its words, and the file arguments of `check_client_access FILE` /
/// `check_sender_access FILE`, found by the word before them so relative table paths can be
/// resolved when the configuration is loaded. MoatCore cannot see the Policy module's
/// `RestrictionName`, so the names are listed here and the parser identifies arguments by
/// this same list (PolicyTests checks that it matches the names the parser accepts).
public enum RestrictionListText {
    /// Restriction names (lowercase, as Postfix compares them) whose argument is a file.
    public static let accessTableRestrictions: Set<String> = ["check_client_access", "check_sender_access"]

    /// Every restriction name the parser accepts, lowercase, with Postfix's older spellings.
    /// A word that is one of these is never an argument: after a name that takes one it
    /// means the argument is missing.
    public static let restrictionNames: Set<String> = [
        "permit", "reject", "permit_mynetworks", "permit_sasl_authenticated", "permit_auth_destination",
        "reject_rbl_client", "reject_rhsbl_sender", "reject_unknown_client_hostname",
        "reject_unknown_reverse_client_hostname", "reject_invalid_helo_hostname", "reject_non_fqdn_helo_hostname",
        "reject_unknown_helo_hostname", "reject_non_fqdn_sender", "reject_unknown_sender_domain",
        "reject_non_fqdn_recipient", "reject_unauth_destination", "reject_unlisted_recipient",
        "reject_unauth_pipelining", "check_client_access", "check_sender_access",
        "reject_unknown_client", "reject_invalid_hostname", "reject_non_fqdn_hostname", "reject_unknown_hostname",
    ]

    /// Whether `word` is a restriction name (case-insensitive), so cannot be an argument.
    public static func isRestrictionName<S: StringProtocol>(_ word: S) -> Bool {
        restrictionNames.contains(word.lowercased())
    }

    /// `entries` with each table argument replaced by `resolve(argument)`. Entries keep
    /// their count and order, so errors that name "entry N" still point at the entry the
    /// admin wrote; an entry that contained a table argument is rewritten with single spaces
    /// between its words (the parser splits on any of space, tab, comma and newline).
    public static func resolvingAccessTables(_ entries: [String], _ resolve: (String) -> String) -> [String] {
        var takesFile = false
        return entries.map { entry in
            var changed = false
            let words = Self.words(of: entry).map { word -> String in
                defer { takesFile = accessTableRestrictions.contains(word.lowercased()) }
                // A restriction name where the table should be: the parser reports the
                // argument as missing, so it is left as written, not taken for a path.
                guard takesFile, !isRestrictionName(word) else { return String(word) }
                changed = true
                return resolve(String(word))
            }
            return changed ? words.joined(separator: " ") : entry
        }
    }

    /// The words of one restriction list entry, split as Postfix splits main.cf values.
    public static func words(of entry: String) -> [Substring] {
        entry.split(whereSeparator: { " \t,\n".contains($0) })
    }
}
