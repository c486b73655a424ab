/// Flags (RFC 9051 §9).
extension GrammarParser {
    /// `flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword /
    /// flag-extension`; `flag-extension = "\" atom`; `flag-keyword = atom`
    mutating func flag() throws(GrammarError) -> Flag {
        if take("\\") { return Flag(wire: "\\" + (try atom())) }
        return Flag(wire: try atom())
    }

    /// `flag-list = "(" [flag *(SP flag)] ")"`
    mutating func flagList() throws(GrammarError) -> [Flag] {
        try parenthesizedList(allowEmpty: true) { parser throws(GrammarError) in try parser.flag() }
    }
}
