/// Character classes of RFC 9051 §9.
enum IMAPCharacter {
    /// `ATOM-CHAR = <any CHAR except atom-specials>`; atom-specials are
    /// `( ) { SP CTL % * " \ ]`.
    static func isAtomChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00...0x20, 0x7F...0xFF: false
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"), UInt8(ascii: "*"),
            UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
            false
        default: true
        }
    }

    /// `ASTRING-CHAR = ATOM-CHAR / resp-specials`.
    static func isAStringChar(_ byte: UInt8) -> Bool { isAtomChar(byte) || byte == UInt8(ascii: "]") }

    /// `tag = 1*<any ASTRING-CHAR except "+">`.
    static func isTagChar(_ byte: UInt8) -> Bool { isAStringChar(byte) && byte != UInt8(ascii: "+") }

    /// `list-char = ATOM-CHAR / list-wildcards / resp-specials`.
    static func isListChar(_ byte: UInt8) -> Bool {
        isAStringChar(byte) || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "*")
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
