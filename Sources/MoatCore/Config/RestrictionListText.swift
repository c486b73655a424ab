/// A restriction list as written in the configuration, before the Policy module parses it:
/// its words, and the file arguments of `check_client_access FILE` /
/// `check_sender_access FILE`, found by the word before them so relative table paths can be
/// resolved when the configuration is loaded. MoatCore cannot see the Policy module's
/// restriction names; these two are the only restrictions whose argument is a file.
public enum RestrictionListText {
    /// Restriction names (lowercase, as Postfix compares them) whose argument is a file.
    public static let accessTableRestrictions: Set<String> = ["check_client_access", "check_sender_access"]

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
                guard takesFile, !accessTableRestrictions.contains(word.lowercased()) else { return String(word) }
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
