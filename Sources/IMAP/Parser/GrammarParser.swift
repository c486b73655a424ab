/// Recursive-descent parser over one complete command frame (lines and literals). Each
/// grammar rule of RFC 9051 §9 (and its extensions) is one method with the ABNF above it, in
/// the `GrammarParser+*.swift` files. Depth and list sizes are counted against `limits`.
struct GrammarParser {
    let bytes: [UInt8]
    let literalStarts: Set<Int>
    let limits: ParserLimits
    var index = 0
    var depth = 0

    init(frame: CommandFrame, limits: ParserLimits) {
        self.bytes = frame.bytes
        self.literalStarts = frame.literalStarts
        self.limits = limits
    }

    /// `command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF`
    static func parseCommand(frame: CommandFrame, limits: ParserLimits) -> Result<TaggedCommand, CommandParseError> {
        parseTagged(frame: frame, limits: limits) { parser, tag throws(GrammarError) in
            let command = try parser.command()
            guard parser.atEnd else { throw .syntax("Unexpected text after the command") }
            return TaggedCommand(tag: tag, command: command)
        }
    }

    /// `tag SP` and then `body`; a failure carries the tag once it was read.
    static func parseTagged<T>(
        frame: CommandFrame, limits: ParserLimits, _ body: (inout GrammarParser, Tag) throws(GrammarError) -> T
    ) -> Result<T, CommandParseError> {
        var parser = GrammarParser(frame: frame, limits: limits)
        var tag: Tag?
        do throws(GrammarError) {
            let parsedTag = try parser.tag()
            tag = parsedTag
            try parser.space()
            return .success(try body(&parser, parsedTag))
        } catch {
            return .failure(CommandParseError(tag: tag, kind: error.kind, message: error.message))
        }
    }

    // MARK: - Cursor

    var atEnd: Bool { index == bytes.count }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    func peek(is byte: Character) -> Bool { peek() == byte.asciiValue }

    mutating func expect(_ byte: Character) throws(GrammarError) {
        guard peek(is: byte) else { throw .syntax("Expected \"\(byte)\"") }
        index += 1
    }

    /// Takes `byte` when it is next.
    mutating func take(_ byte: Character) -> Bool {
        guard peek(is: byte) else { return false }
        index += 1
        return true
    }

    mutating func space() throws(GrammarError) { try expect(" ") }

    /// Takes `word` when it is next, case-insensitively.
    mutating func take(word: String) -> Bool {
        let word = Array(word.utf8)
        guard index + word.count <= bytes.count else { return false }
        for (offset, expected) in word.enumerated() where Self.upper(bytes[index + offset]) != expected { return false }
        index += word.count
        return true
    }

    mutating func expect(word: String) throws(GrammarError) {
        guard take(word: word) else { throw .syntax("Expected \(word)") }
    }

    /// Bytes while `accept` holds.
    mutating func take(while accept: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = index
        while index < bytes.count, accept(bytes[index]) { index += 1 }
        return bytes[start..<index]
    }

    static func upper(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
    }

    /// Runs `body` one nesting level deeper, failing past `maxNestingDepth`.
    mutating func nested<T>(_ body: (inout GrammarParser) throws(GrammarError) -> T) throws(GrammarError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= limits.maxNestingDepth else {
            throw GrammarError(kind: .nestingTooDeep, message: "Too deeply nested")
        }
        return try body(&self)
    }

    /// Fails once a list has more than `maxListItems` items.
    func checkListSize(_ count: Int) throws(GrammarError) {
        guard count <= limits.maxListItems else { throw GrammarError(kind: .tooManyItems, message: "Too many items in a list") }
    }

    /// `"(" item *(SP item) ")"`, or with `allowEmpty` also `"(" ")"`.
    mutating func parenthesizedList<T>(
        allowEmpty: Bool = false, _ item: (inout GrammarParser) throws(GrammarError) -> T
    ) throws(GrammarError) -> [T] {
        try expect("(")
        return try nested { parser throws(GrammarError) in
            var items: [T] = []
            if allowEmpty, parser.take(")") { return items }
            repeat {
                items.append(try item(&parser))
                try parser.checkListSize(items.count)
            } while parser.take(" ")
            try parser.expect(")")
            return items
        }
    }

    /// `item *(SP item)` ending before anything but SP + item: used for trailing lists.
    mutating func spaceSeparated<T>(_ item: (inout GrammarParser) throws(GrammarError) -> T) throws(GrammarError) -> [T] {
        var items = [try item(&self)]
        while take(" ") {
            items.append(try item(&self))
            try checkListSize(items.count)
        }
        return items
    }
}
