/// A lexer for structured header values (RFC 5322 §3.2 atoms, quoted strings, comments and
/// domain literals; RFC 2045 tokens) that reads them the way Dovecot's `rfc822-parser`
/// does, so ENVELOPE and BODYSTRUCTURE give what Dovecot users see. Lenient: it never
/// fails hard, it reports `.broken` and callers decide how much to keep.
struct HeaderValueScanner {
    /// Where a scanning step left the input: more follows, the input is used up, or the
    /// syntax was broken.
    enum Outcome: Equatable {
        case more
        case end
        case broken
    }

    let bytes: [UInt8]
    var position: Int
    /// The text of the last comment skipped, when comments are recorded (address parsing
    /// uses it as the display name of `user@host (Name)`).
    var lastComment: [UInt8]?
    /// What a NUL in quoted strings, comments and domain literals becomes (nil: kept).
    let nulReplacement: [UInt8]?

    /// U+FFFD in UTF-8, what Dovecot puts for NUL in addresses.
    static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]

    init(_ bytes: [UInt8], recordingComments: Bool = false, nulReplacement: [UInt8]? = nil) {
        self.bytes = bytes
        self.position = 0
        self.lastComment = recordingComments ? [] : nil
        self.nulReplacement = nulReplacement
    }

    var atEnd: Bool { position >= bytes.count }
    var current: UInt8? { atEnd ? nil : bytes[position] }

    private var progress: Outcome { atEnd ? .end : .more }

    // MARK: Character classes

    /// RFC 5322 atext (8-bit bytes included, as Dovecot does).
    static func isAtomText(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x80...0xFF: return true
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
            return true
        default: return atomSpecials.contains(byte)
        }
    }

    /// RFC 2045 token characters: atext without the tspecials `/`, `=` and `?`.
    static func isTokenText(_ byte: UInt8) -> Bool {
        isAtomText(byte) && byte != UInt8(ascii: "/") && byte != UInt8(ascii: "=") && byte != UInt8(ascii: "?")
    }

    private static let atomSpecials: Set<UInt8> = Set("!#$%&'*+-/=?^_`{|}~".utf8)

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }

    // MARK: Whitespace and comments

    /// The three kinds of delimited text, which differ in how they end and in what a
    /// backslash does.
    private enum Delimited {
        /// `( … )`, nesting; quoted pairs unescaped.
        case comment
        /// `" … "`; quoted pairs unescaped.
        case quotedString
        /// `[ … ]`, kept with its brackets and backslashes; `[` inside is broken.
        case domainLiteral
    }

    /// Copies delimited text from its opening byte (at `position`) through its closing
    /// one into `output`: line breaks dropped, NUL replaced (when a replacement is set),
    /// a backslash before a line break or NUL kept as it is. `.broken` if it never closes.
    private mutating func scanDelimited(_ kind: Delimited, into output: inout [UInt8]) -> Outcome {
        var start = kind == .domainLiteral ? position : position + 1
        position += 1
        var level = 1
        while position < bytes.count {
            switch bytes[position] {
            case 0:
                start = replaceNUL(copyingFrom: start, into: &output)
            case UInt8(ascii: "\n"):
                start = dropLineBreak(copyingFrom: start, into: &output)
            case UInt8(ascii: "(") where kind == .comment:
                level += 1
            case UInt8(ascii: "[") where kind == .domainLiteral:
                return .broken
            case UInt8(ascii: ")") where kind == .comment, UInt8(ascii: "\"") where kind == .quotedString,
                 UInt8(ascii: "]") where kind == .domainLiteral:
                level -= 1
                guard level == 0 else { break }
                output.append(contentsOf: bytes[start..<(kind == .domainLiteral ? position + 1 : position)])
                position += 1
                return kind == .comment ? progress : skipWhitespace()
            case UInt8(ascii: "\\"):
                position += 1
                if atEnd { return .broken }
                if Self.isLineBreakOrNUL(bytes[position]) {
                    if kind == .domainLiteral {
                        output.append(contentsOf: bytes[start..<position])
                        start = position
                    }
                    position -= 1
                } else if kind != .domainLiteral {
                    output.append(contentsOf: bytes[start..<(position - 1)])
                    start = position
                }
            default:
                break
            }
            position += 1
        }
        return .broken
    }

    /// Skips one comment starting at `(`; its text becomes `lastComment` when recorded.
    mutating func skipComment() -> Outcome {
        var comment: [UInt8] = []
        let outcome = scanDelimited(.comment, into: &comment)
        if outcome != .broken && lastComment != nil { lastComment = comment }
        return outcome
    }

    /// At a NUL in text copied from `start`: copies what precedes it and the replacement,
    /// when there is one; returns where copying goes on.
    private func replaceNUL(copyingFrom start: Int, into output: inout [UInt8]) -> Int {
        guard let nulReplacement else { return start }
        output.append(contentsOf: bytes[start..<position])
        output.append(contentsOf: nulReplacement)
        return position + 1
    }

    /// At an LF in text copied from `start`: copies the text before the line break (CR
    /// LF or LF) and returns where copying goes on, after it.
    private func dropLineBreak(copyingFrom start: Int, into output: inout [UInt8]) -> Int {
        output.append(contentsOf: bytes[start..<lineContentEnd(start: start, lineFeed: position)])
        return position + 1
    }

    /// Where the text before the LF at `lineFeed` ends (a CR before it is dropped too).
    private func lineContentEnd(start: Int, lineFeed: Int) -> Int {
        lineFeed > start && bytes[lineFeed - 1] == UInt8(ascii: "\r") ? lineFeed - 1 : lineFeed
    }

    private static func isLineBreakOrNUL(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") || byte == 0
    }

    /// Skips folding whitespace and comments (CFWS).
    mutating func skipWhitespace() -> Outcome {
        while let byte = current {
            if Self.isWhitespace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "(") {
                if skipComment() == .broken { return .broken }
            } else {
                break
            }
        }
        return progress
    }

    // MARK: Tokens

    /// Appends a run of bytes accepted by `accept` to `output`, then skips CFWS after it.
    private mutating func takeRun(into output: inout [UInt8], _ accept: (UInt8) -> Bool) -> Outcome {
        let start = position
        while let byte = current, accept(byte) { position += 1 }
        output.append(contentsOf: bytes[start..<position])
        return atEnd ? .end : skipWhitespace()
    }

    /// `atom`: at least one atext byte.
    mutating func parseAtom(into output: inout [UInt8]) -> Outcome {
        guard let byte = current, Self.isAtomText(byte) else { return .broken }
        return takeRun(into: &output, Self.isAtomText)
    }

    /// `dot-atom`, allowing CFWS around the dots as RFC 822 did.
    mutating func parseDotAtom(into output: inout [UInt8]) -> Outcome {
        guard let byte = current, Self.isAtomText(byte) else { return .broken }
        while true {
            let outcome = takeRun(into: &output, Self.isAtomText)
            guard outcome == .more else { return outcome }
            guard current == UInt8(ascii: ".") else { return .more }
            position += 1
            output.append(UInt8(ascii: "."))
            guard skipWhitespace() == .more, let next = current, Self.isAtomText(next) else { return .broken }
        }
    }

    /// An RFC 2045 token (dots allowed); may be empty.
    mutating func parseToken(into output: inout [UInt8]) -> Outcome {
        takeRun(into: &output) { Self.isTokenText($0) || $0 == UInt8(ascii: ".") }
    }

    /// `quoted-string` starting at `"`: quoted pairs unescaped, folding line breaks removed.
    mutating func parseQuotedString(into output: inout [UInt8]) -> Outcome {
        scanDelimited(.quotedString, into: &output)
    }

    /// `phrase` (obs-phrase: words, dots and CFWS): words joined by one space.
    mutating func parsePhrase(into output: inout [UInt8]) -> Outcome {
        guard let first = current else { return .end }
        if first == UInt8(ascii: ".") { return .broken }
        while true {
            let outcome: Outcome
            if current == UInt8(ascii: "\"") {
                outcome = parseQuotedString(into: &output)
            } else {
                outcome = takeRun(into: &output) { Self.isAtomText($0) || $0 == UInt8(ascii: ".") }
            }
            guard outcome == .more, let next = current else { return outcome }
            if !Self.isAtomText(next) && next != UInt8(ascii: "\"") && next != UInt8(ascii: ".") { break }
            output.append(UInt8(ascii: " "))
        }
        return skipWhitespace()
    }

    /// `domain` after `@`: a dot-atom or a domain literal (kept with its brackets and
    /// quoted pairs, line breaks removed).
    mutating func parseDomain(into output: inout [UInt8]) -> Outcome {
        position += 1
        guard skipWhitespace() == .more else { return .broken }
        guard current == UInt8(ascii: "[") else { return parseDotAtom(into: &output) }
        return scanDelimited(.domainLiteral, into: &output)
    }

    /// `type "/" subtype` of a Content-Type, both non-empty and followed by the end or `;`.
    /// When broken, `output` keeps a type that ends the value (`text`), else nothing.
    mutating func parseContentType(into output: inout [UInt8]) -> Outcome {
        let start = output.count
        guard skipWhitespace() == .more else { return .broken }
        guard parseToken(into: &output) == .more, output.count > start else { return .broken }
        func fail() -> Outcome {
            output.removeSubrange(start...)
            return .broken
        }
        guard current == UInt8(ascii: "/") else { return fail() }
        position += 1
        guard skipWhitespace() == .more else { return fail() }
        output.append(UInt8(ascii: "/"))
        let subtypeStart = output.count
        let outcome = parseToken(into: &output)
        guard outcome != .broken, output.count > subtypeStart, atEnd || current == UInt8(ascii: ";") else { return fail() }
        return outcome
    }

    /// One `; name=value` parameter. Nil at the end of input; `.broken` with whatever was read.
    mutating func parseParameter() -> (outcome: Outcome, name: [UInt8], value: [UInt8])? {
        guard let byte = current else { return nil }
        guard byte == UInt8(ascii: ";") else { return (.broken, [], []) }
        position += 1
        guard skipWhitespace() == .more else { return (.broken, [], []) }
        var name: [UInt8] = []
        guard parseToken(into: &name) == .more, current == UInt8(ascii: "=") else { return (.broken, [], []) }
        position += 1
        var value: [UInt8] = []
        var outcome = skipWhitespace()
        if outcome == .more {
            if current == UInt8(ascii: "\"") {
                outcome = parseQuotedString(into: &value)
            } else if current == UInt8(ascii: "=") {
                // Broken senders write `name==?utf-8?b?…?=`: keep the word as it is.
                while let byte = current, byte != UInt8(ascii: ";"), !Self.isWhitespace(byte) {
                    value.append(byte)
                    position += 1
                }
            } else {
                outcome = parseToken(into: &value)
            }
        }
        return (outcome == .broken ? .broken : .more, name, value)
    }
}
