/// FETCH and STORE (RFC 9051 §6.4.5, §6.4.6, RFC 3516, RFC 7162).
extension GrammarParser {
    /// `fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
    /// "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]`;
    /// `fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"`
    mutating func fetch(byUID: Bool) throws(GrammarError) -> FetchCommand {
        try space()
        let set = try sequenceSet()
        try space()
        let attributes: [FetchAttribute]
        if peek(is: "(") {
            attributes = try parenthesizedList { parser throws(GrammarError) in try parser.fetchAttribute() }
        } else if take(word: "ALL") {
            attributes = FetchAttribute.allMacro
        } else if take(word: "FULL") {
            attributes = FetchAttribute.fullMacro
        } else if take(word: "FAST") {
            attributes = FetchAttribute.fastMacro
        } else {
            attributes = [try fetchAttribute()]
        }
        var modifiers: [FetchModifier] = []
        if take(" ") {
            modifiers = try parenthesizedList { parser throws(GrammarError) -> FetchModifier in
                switch try parser.keyword() {
                case "CHANGEDSINCE":
                    try parser.space()
                    return .changedSince(try parser.modSequence(allowZero: false))
                case "VANISHED": return .vanished
                case let other: throw .syntax("Unknown FETCH modifier \(other)")
                }
            }
        }
        return FetchCommand(byUID: byUID, set: set, attributes: attributes, modifiers: modifiers)
    }

    /// `fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" /
    /// ".TEXT"] / "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] / "BODY.PEEK" section
    /// [partial] / "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary /
    /// "MODSEQ"`
    mutating func fetchAttribute() throws(GrammarError) -> FetchAttribute {
        let nameBytes = take(while: { IMAPCharacter.isAtomChar($0) && $0 != UInt8(ascii: "[") })
        let name = String(decoding: nameBytes, as: UTF8.self).uppercased()
        switch name {
        case "ENVELOPE": return .envelope
        case "FLAGS": return .flags
        case "INTERNALDATE": return .internalDate
        case "RFC822": return .rfc822
        case "RFC822.HEADER": return .rfc822Header
        case "RFC822.TEXT": return .rfc822Text
        case "RFC822.SIZE": return .rfc822Size
        case "BODYSTRUCTURE": return .bodyStructure
        case "UID": return .uid
        case "MODSEQ": return .modSeq
        case "BODY", "BODY.PEEK":
            guard peek(is: "[") else {
                guard name == "BODY" else { throw .syntax("BODY.PEEK needs a section") }
                return .body
            }
            let section = try section()
            return .bodySection(section, partial: try partial(), peek: name == "BODY.PEEK")
        case "BINARY", "BINARY.PEEK":
            let part = try binarySection()
            return .binary(part: part, partial: try partial(), peek: name == "BINARY.PEEK")
        case "BINARY.SIZE":
            return .binarySize(part: try binarySection())
        default:
            throw .syntax(name.isEmpty ? "Expected a FETCH attribute" : "Unknown FETCH attribute \(name)")
        }
    }

    /// `section = "[" [section-spec] "]"`; `section-spec = section-msgtext / (section-part
    /// ["." section-text])`; `section-text = section-msgtext / "MIME"`
    private mutating func section() throws(GrammarError) -> SectionSpecifier {
        try expect("[")
        var section = SectionSpecifier()
        if take("]") { return section }
        if let byte = peek(), IMAPCharacter.isDigit(byte) {
            section.part = try sectionPart()
            if take("]") { return section }
            try expect(".")
            if take(word: "MIME") {
                section.kind = .mime
                try expect("]")
                return section
            }
        }
        section.kind = try sectionMessageText()
        try expect("]")
        return section
    }

    /// `section-part = nz-number *("." nz-number)`
    private mutating func sectionPart() throws(GrammarError) -> [Int] {
        var parts = [Int(try nzNumber())]
        while peek(is: "."), index + 1 < bytes.count, IMAPCharacter.isDigit(bytes[index + 1]) {
            index += 1
            parts.append(Int(try nzNumber()))
            try checkListSize(parts.count)
        }
        guard parts.count <= limits.maxNestingDepth else { throw GrammarError(kind: .nestingTooDeep, message: "Too deep a part") }
        return parts
    }

    /// `section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"`;
    /// `header-list = "(" header-fld-name *(SP header-fld-name) ")"`
    private mutating func sectionMessageText() throws(GrammarError) -> SectionSpecifier.Kind {
        if take(word: "HEADER.FIELDS") {
            let not = take(word: ".NOT")
            try space()
            let fields = try parenthesizedList { parser throws(GrammarError) in try parser.astring() }
            return not ? .headerFieldsNot(fields) : .headerFields(fields)
        }
        if take(word: "HEADER") { return .header }
        if take(word: "TEXT") { return .text }
        throw .syntax("Invalid section")
    }

    /// `section-binary = "[" [section-part] "]"`
    private mutating func binarySection() throws(GrammarError) -> [Int] {
        try expect("[")
        if take("]") { return [] }
        let part = try sectionPart()
        try expect("]")
        return part
    }

    /// `partial = "<" number "." nz-number ">"`
    private mutating func partial() throws(GrammarError) -> Partial? {
        guard take("<") else { return nil }
        let offset = try number()
        try expect(".")
        let length = try nzNumber()
        try expect(">")
        return Partial(offset: offset, length: length)
    }

    /// `store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags`;
    /// `store-modifiers = SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"`;
    /// `store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))`
    mutating func store(byUID: Bool) throws(GrammarError) -> StoreCommand {
        try space()
        let set = try sequenceSet()
        try space()
        var unchangedSince: UInt64?
        if peek(is: "(") {
            try expect("(")
            try expect(word: "UNCHANGEDSINCE")
            try space()
            unchangedSince = try modSequence(allowZero: true)
            try expect(")")
            try space()
        }
        let operation: StoreCommand.Operation = take("+") ? .add : take("-") ? .remove : .replace
        try expect(word: "FLAGS")
        let silent = take(word: ".SILENT")
        try space()
        let flags: [Flag]
        if peek(is: "(") {
            flags = try flagList()
        } else {
            flags = try spaceSeparated { parser throws(GrammarError) in try parser.flag() }
        }
        return StoreCommand(
            byUID: byUID, set: set, unchangedSince: unchangedSince, operation: operation, silent: silent, flags: flags)
    }
}
