/// SEARCH, SORT and THREAD (RFC 9051 §6.4.4, RFC 4731, RFC 5256, RFC 5267, RFC 7162).
extension GrammarParser {
    /// `search = "SEARCH" [search-return-opts] SP search-program`;
    /// `search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)`
    mutating func search(byUID: Bool) throws(GrammarError) -> SearchCommand {
        try space()
        let returnOptions = try searchReturnOptions()
        var charset: String?
        if take(word: "CHARSET ") {
            charset = try self.charset()
            try space()
        }
        return SearchCommand(byUID: byUID, returnOptions: returnOptions, charset: charset, key: try searchKeys())
    }

    /// `search-return-opts = "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")" SP`
    /// (the trailing SP is taken here).
    private mutating func searchReturnOptions() throws(GrammarError) -> [SearchReturnOption]? {
        guard take(word: "RETURN ") else { return nil }
        let options = try parenthesizedList(allowEmpty: true) { parser throws(GrammarError) -> SearchReturnOption in
            switch try parser.keyword() {
            case "MIN": .min
            case "MAX": .max
            case "ALL": .all
            case "COUNT": .count
            case "SAVE": .save
            case let other: throw .syntax("Unknown RETURN option \(other)")
            }
        }
        try space()
        return options
    }

    /// `search-key *(SP search-key)`: one key, or `.and` of several.
    mutating func searchKeys() throws(GrammarError) -> SearchKey {
        let keys = try spaceSeparated { parser throws(GrammarError) in try parser.searchKey() }
        return keys.count == 1 ? keys[0] : .and(keys)
    }

    /// `search-key` (RFC 3501 §9 and RFC 9051 §9, RFC 5032, RFC 7162 `search-modsequence`).
    mutating func searchKey() throws(GrammarError) -> SearchKey {
        if atSequenceSet { return .sequenceSet(try sequenceSet()) }
        if peek(is: "(") {
            let keys = try parenthesizedList { parser throws(GrammarError) in try parser.searchKey() }
            return keys.count == 1 ? keys[0] : .and(keys)
        }
        let name = try keyword()
        switch name {
        case "ALL": return .all
        case "ANSWERED": return .answered
        case "DELETED": return .deleted
        case "DRAFT": return .draft
        case "FLAGGED": return .flagged
        case "SEEN": return .seen
        case "UNANSWERED": return .unanswered
        case "UNDELETED": return .undeleted
        case "UNDRAFT": return .undraft
        case "UNFLAGGED": return .unflagged
        case "UNSEEN": return .unseen
        case "NEW": return .new
        case "OLD": return .old
        case "RECENT": return .recent
        case "KEYWORD":
            try space()
            return .keyword(try atom())
        case "UNKEYWORD":
            try space()
            return .unkeyword(try atom())
        case "BCC": return .bcc(try spaceThenAString())
        case "CC": return .cc(try spaceThenAString())
        case "FROM": return .from(try spaceThenAString())
        case "TO": return .to(try spaceThenAString())
        case "SUBJECT": return .subject(try spaceThenAString())
        case "BODY": return .body(try spaceThenAString())
        case "TEXT": return .text(try spaceThenAString())
        case "HEADER":
            let field = try spaceThenAString()
            return .header(field: field, value: try spaceThenAString())
        case "BEFORE": return .before(try spaceThenDate())
        case "ON": return .on(try spaceThenDate())
        case "SINCE": return .since(try spaceThenDate())
        case "SENTBEFORE": return .sentBefore(try spaceThenDate())
        case "SENTON": return .sentOn(try spaceThenDate())
        case "SENTSINCE": return .sentSince(try spaceThenDate())
        case "LARGER":
            try space()
            return .larger(try number64())
        case "SMALLER":
            try space()
            return .smaller(try number64())
        case "OLDER":
            try space()
            return .older(try nzNumber())
        case "YOUNGER":
            try space()
            return .younger(try nzNumber())
        case "UID":
            try space()
            return .uid(try sequenceSet())
        case "NOT":
            try space()
            return .not(try nested { parser throws(GrammarError) in try parser.searchKey() })
        case "OR":
            return try nested { parser throws(GrammarError) in
                try parser.space()
                let first = try parser.searchKey()
                try parser.space()
                return .or(first, try parser.searchKey())
            }
        case "MODSEQ": return try modSeqKey()
        default:
            throw .syntax("Unknown search key \(name)")
        }
    }

    /// `search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer`;
    /// `search-modseq-ext = SP entry-name SP entry-type-req`
    private mutating func modSeqKey() throws(GrammarError) -> SearchKey {
        try space()
        guard peek(is: "\"") else { return .modSeq(nil, try modSequence(allowZero: true)) }
        let name = try quoted()
        try space()
        guard let type = ModSeqEntry.EntryType(rawValue: try keyword()) else { throw .syntax("Invalid entry type") }
        try space()
        return .modSeq(ModSeqEntry(name: name, type: type), try modSequence(allowZero: true))
    }

    private mutating func spaceThenAString() throws(GrammarError) -> [UInt8] {
        try space()
        return try astring()
    }

    private mutating func spaceThenDate() throws(GrammarError) -> IMAPDate {
        try space()
        return try date()
    }

    /// `sort = ["UID" SP] "SORT" [sort-return-opts] SP sort-criteria SP search-criteria`;
    /// `sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"`;
    /// `search-criteria = charset 1*(SP search-key)` (RFC 5256, RFC 5267)
    mutating func sort(byUID: Bool) throws(GrammarError) -> SortCommand {
        try space()
        let returnOptions = try searchReturnOptions()
        let criteria = try parenthesizedList { parser throws(GrammarError) in
            let reverse = parser.take(word: "REVERSE ")
            let name = try parser.keyword()
            guard let key = SortCriterion.Key(rawValue: name) else { throw .syntax("Unknown sort key \(name)") }
            return SortCriterion(reverse: reverse, key)
        }
        try space()
        let charset = try self.charset()
        try space()
        return SortCommand(byUID: byUID, returnOptions: returnOptions, criteria: criteria, charset: charset, key: try searchKeys())
    }

    /// `thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria`
    mutating func thread(byUID: Bool) throws(GrammarError) -> ThreadCommand {
        try space()
        let name = try keyword()
        guard let algorithm = ThreadAlgorithm(rawValue: name) else { throw .syntax("Unknown THREAD algorithm \(name)") }
        try space()
        let charset = try self.charset()
        try space()
        return ThreadCommand(byUID: byUID, algorithm: algorithm, charset: charset, key: try searchKeys())
    }
}
