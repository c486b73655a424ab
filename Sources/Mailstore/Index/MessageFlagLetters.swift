/// Translates between a message's flags and keywords and the letters of its Maildir info:
/// system flags as `DFRST`, keyword number n as the letter `a`+n from `dovecot-keywords`;
/// other capital letters (`P` "passed") written by other programs are kept as they are.
struct MessageFlagLetters {
    var keywords: KeywordTable

    /// The flags and keywords `letters` stand for (unknown keyword letters are dropped, as
    /// Dovecot drops them).
    func decode(_ letters: String) -> (MessageFlags, [String]) {
        var flags = MessageFlags()
        var names: [String] = []
        for letter in letters {
            if let flag = MessageFlags(maildirLetter: letter) {
                flags.insert(flag)
            } else if let name = keywords.name(forLetter: letter) {
                names.append(name)
            }
        }
        return (flags, Array(Set(names)).sorted())
    }

    /// The letters for `flags` and `keywords`, sorted, keeping the foreign capitals of
    /// `previous`; keywords beyond the 26 letters stay in the index only (as in Dovecot).
    mutating func encode(_ flags: MessageFlags, _ keywordNames: [String], keeping previous: String) throws
        -> String {
        var letters = Set(previous.filter { $0.isUppercase && MessageFlags(maildirLetter: $0) == nil })
        letters.formUnion(flags.maildirLetters)
        for name in keywordNames {
            if let letter = try keywords.letter(for: name) { letters.insert(letter) }
        }
        return String(letters.sorted())
    }
}
