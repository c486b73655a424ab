/// Commands of the authenticated state that name mailboxes.
extension GrammarParser {
    /// `select = "SELECT" SP mailbox [select-params]`;
    /// `select-params = SP "(" select-param *(SP select-param) ")"` (RFC 4466)
    mutating func select() throws(GrammarError) -> (MailboxName, [SelectParameter]) {
        try space()
        let name = try mailbox()
        guard take(" ") else { return (name, []) }
        let parameters = try parenthesizedList { parser throws(GrammarError) in try parser.selectParameter() }
        return (name, parameters)
    }

    /// `select-param = "CONDSTORE" / "QRESYNC" SP "(" uidvalidity SP mod-sequence-value
    /// [SP known-uids] [SP seq-match-data] ")"`; `seq-match-data = "(" known-sequence-set SP
    /// known-uid-set ")"` (RFC 7162)
    private mutating func selectParameter() throws(GrammarError) -> SelectParameter {
        let name = try keyword()
        switch name {
        case "CONDSTORE": return .condStore
        case "QRESYNC":
            try space()
            try expect("(")
            let uidValidity = try nzNumber()
            try space()
            var parameter = QResyncParameter(uidValidity: uidValidity, modSeq: try modSequence(allowZero: false))
            if take(" ") {
                if !peek(is: "(") {
                    parameter.knownUIDs = try sequenceSet()
                    if take(" ") { parameter.sequenceMatch = try sequenceMatch() }
                } else {
                    parameter.sequenceMatch = try sequenceMatch()
                }
            }
            try expect(")")
            return .qresync(parameter)
        default:
            throw .syntax("Unknown SELECT parameter \(name)")
        }
    }

    private mutating func sequenceMatch() throws(GrammarError) -> SequenceMatch {
        try expect("(")
        let sequences = try sequenceSet()
        try space()
        let uids = try sequenceSet()
        try expect(")")
        return SequenceMatch(knownSequenceSet: sequences, knownUIDSet: uids)
    }

    /// `create = "CREATE" SP mailbox [create-params]`; `create-param = "USE" SP "("
    /// [use-attr *(SP use-attr)] ")"` (RFC 6154)
    mutating func create() throws(GrammarError) -> Command {
        try space()
        let name = try mailbox()
        guard take(" ") else { return .create(name, []) }
        let parameters = try parenthesizedList { parser throws(GrammarError) -> CreateParameter in
            let parameterName = try parser.keyword()
            guard parameterName == "USE" else { throw .syntax("Unknown CREATE parameter \(parameterName)") }
            try parser.space()
            let uses = try parser.parenthesizedList(allowEmpty: true) { inner throws(GrammarError) in
                try inner.expect("\\")
                return "\\" + (try inner.atom())
            }
            return .use(uses)
        }
        return .create(name, parameters)
    }

    /// `status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"`
    mutating func status() throws(GrammarError) -> Command {
        try space()
        let name = try mailbox()
        try space()
        return .status(name, try statusAttributes())
    }

    func statusAttribute(named name: String) throws(GrammarError) -> StatusAttribute {
        guard let attribute = StatusAttribute(rawValue: name) else { throw .syntax("Unknown STATUS item \(name)") }
        return attribute
    }

    mutating func statusAttributes() throws(GrammarError) -> [StatusAttribute] {
        try parenthesizedList { parser throws(GrammarError) in try parser.statusAttribute(named: try parser.keyword()) }
    }

    /// `list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]`;
    /// `mbox-or-pat = list-mailbox / patterns`; `patterns = "(" list-mailbox *(SP list-mailbox) ")"`;
    /// `list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"` (RFC 5258)
    mutating func list() throws(GrammarError) -> ListCommand {
        try space()
        var selection: [ListSelectionOption] = []
        if peek(is: "(") {
            selection = try parenthesizedList(allowEmpty: true) { parser throws(GrammarError) in
                switch try parser.keyword() {
                case "SUBSCRIBED": .subscribed
                case "REMOTE": .remote
                case "RECURSIVEMATCH": .recursiveMatch
                case "SPECIAL-USE": .specialUse
                case let other: throw .syntax("Unknown LIST selection option \(other)")
                }
            }
            try space()
        }
        let reference = try mailbox()
        try space()
        let patterns: [[UInt8]]
        if peek(is: "(") {
            patterns = try parenthesizedList { parser throws(GrammarError) in try parser.listMailbox() }
        } else {
            patterns = [try listMailbox()]
        }
        var returnOptions: [ListReturnOption] = []
        if take(" ") {
            try expect(word: "RETURN")
            try space()
            returnOptions = try parenthesizedList(allowEmpty: true) { parser throws(GrammarError) in
                try parser.listReturnOption()
            }
        }
        return ListCommand(selectionOptions: selection, reference: reference, patterns: patterns, returnOptions: returnOptions)
    }

    /// `return-option = "SUBSCRIBED" / "CHILDREN" / "STATUS" SP "(" status-att-list ")" /
    /// "SPECIAL-USE" / option-extension`
    private mutating func listReturnOption() throws(GrammarError) -> ListReturnOption {
        switch try keyword() {
        case "SUBSCRIBED": return .subscribed
        case "CHILDREN": return .children
        case "SPECIAL-USE": return .specialUse
        case "STATUS":
            try space()
            return .status(try statusAttributes())
        case let other: throw .syntax("Unknown LIST return option \(other)")
        }
    }
}
