/// Atoms, strings and numbers (RFC 9051 §9).
extension GrammarParser {
    /// `tag = 1*<any ASTRING-CHAR except "+">`
    mutating func tag() throws(GrammarError) -> Tag {
        let bytes = take(while: IMAPCharacter.isTagChar)
        guard !bytes.isEmpty else { throw .syntax("Missing tag") }
        return Tag(Array(bytes))
    }

    /// `atom = 1*ATOM-CHAR`
    mutating func atom() throws(GrammarError) -> String {
        let bytes = take(while: IMAPCharacter.isAtomChar)
        guard !bytes.isEmpty else { throw .syntax("Expected an atom") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `astring = 1*ASTRING-CHAR / string`
    mutating func astring() throws(GrammarError) -> [UInt8] {
        if peek(is: "\"") || peek(is: "{") { return try string() }
        let bytes = take(while: IMAPCharacter.isAStringChar)
        guard !bytes.isEmpty else { throw .syntax("Expected a string") }
        return Array(bytes)
    }

    /// `nstring = string / nil`
    mutating func nstring() throws(GrammarError) -> [UInt8]? {
        if take(word: "NIL") { return nil }
        return try string()
    }

    /// `string = quoted / literal`
    mutating func string() throws(GrammarError) -> [UInt8] {
        if peek(is: "\"") { return try quoted() }
        if peek(is: "{") {
            let data = try literal(allowBinary: false)
            guard !data.bytes.contains(0) else { throw .syntax("NUL in a literal string") }
            return data.bytes
        }
        throw .syntax("Expected a quoted string or a literal")
    }

    /// `quoted = DQUOTE *QUOTED-CHAR DQUOTE`; `QUOTED-CHAR = <any TEXT-CHAR except
    /// quoted-specials> / "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4`. UTF-8 is taken whether or
    /// not the client enabled UTF8=ACCEPT (RFC 9051 allows it; clients send UTF-8 passwords
    /// before they can enable anything); bytes that are not UTF-8 are a syntax error.
    mutating func quoted() throws(GrammarError) -> [UInt8] {
        try expect("\"")
        var value: [UInt8] = []
        var hasEightBit = false
        while true {
            guard let byte = peek() else { throw .syntax("Unterminated quoted string") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                if hasEightBit, String(validating: value, as: UTF8.self) == nil {
                    throw .syntax("Invalid UTF-8 in a quoted string")
                }
                return value
            case UInt8(ascii: "\\"):
                guard let escaped = peek(), escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                    throw .syntax("Invalid escape in a quoted string")
                }
                index += 1
                value.append(escaped)
            case 0, UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                throw .syntax("Control character in a quoted string")
            default:
                if byte >= 0x80 { hasEightBit = true }
                value.append(byte)
            }
        }
    }

    /// `literal = "{" number64 ["+"] "}" CRLF *CHAR8` (RFC 9051, RFC 7888 adds `-`);
    /// `literal8 = "~{" number64 "}" CRLF *OCTET` (RFC 3516). The framer has checked the
    /// size and placed the bytes; `literalStarts` proves they are a literal's.
    mutating func literal(allowBinary: Bool) throws(GrammarError) -> (bytes: [UInt8], isBinary: Bool) {
        let isBinary = take("~")
        guard !isBinary || allowBinary else { throw .syntax("literal8 is not allowed here") }
        try expect("{")
        let size = try number64()
        _ = take("+") || take("-")
        try expect("}")
        guard literalStarts.contains(index), let count = Int(exactly: size), index + count <= bytes.count else {
            throw .syntax("Literal not at the end of a line")
        }
        defer { index += count }
        return (Array(bytes[index..<index + count]), isBinary)
    }

    /// `number = 1*DIGIT` (32-bit unsigned).
    mutating func number() throws(GrammarError) -> UInt32 {
        guard let value = UInt32(exactly: try number64()) else { throw .syntax("Number out of range") }
        return value
    }

    /// `nz-number = digit-nz *DIGIT`
    mutating func nzNumber() throws(GrammarError) -> UInt32 {
        let value = try number()
        guard value > 0 else { throw .syntax("Zero is not allowed here") }
        return value
    }

    /// `number64 = 1*DIGIT` (63-bit unsigned, RFC 9051).
    mutating func number64() throws(GrammarError) -> UInt64 {
        let digits = take(while: IMAPCharacter.isDigit)
        guard !digits.isEmpty else { throw .syntax("Expected a number") }
        var value: UInt64 = 0
        for digit in digits {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2, sum <= UInt64(Int64.max) else { throw .syntax("Number out of range") }
            value = sum
        }
        return value
    }

    /// `mod-sequence-value = 1*DIGIT` (RFC 7162: 1…2^63-1); `mod-sequence-valzer` allows 0.
    mutating func modSequence(allowZero: Bool) throws(GrammarError) -> UInt64 {
        let value = try number64()
        guard allowZero || value > 0 else { throw .syntax("Zero mod-sequence") }
        return value
    }

    /// `charset = atom / quoted`
    mutating func charset() throws(GrammarError) -> String {
        if peek(is: "\"") { return String(decoding: try quoted(), as: UTF8.self) }
        return try atom()
    }

    /// An atom upper-cased: command names, option names, capability names.
    mutating func keyword() throws(GrammarError) -> String { try atom().uppercased() }
}
