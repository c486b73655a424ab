/// The byte buffer responses are written into, with the lexical rules of RFC 9051 §4.
struct ResponseWriter {
    var bytes: [UInt8] = []
    let options: ResponseEncoder.Options

    init(options: ResponseEncoder.Options) {
        self.options = options
    }

    mutating func write(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func write(number: some BinaryInteger) { write(String(number)) }

    mutating func space() { bytes.append(UInt8(ascii: " ")) }

    mutating func crlf() { bytes.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")]) }

    /// `"(" item *(SP item) ")"`; empty is `()`.
    mutating func writeList<T>(_ items: some Sequence<T>, _ writeItem: (inout ResponseWriter, T) -> Void) {
        write("(")
        var first = true
        for item in items {
            if !first { space() }
            first = false
            writeItem(&self, item)
        }
        write(")")
    }

    /// `string = quoted / literal`
    mutating func writeString(_ value: some Collection<UInt8>) {
        if canQuote(value) {
            writeQuoted(value)
        } else {
            writeLiteral(value, binary: false)
        }
    }

    mutating func writeString(_ value: String) { writeString(Array(value.utf8)) }

    /// `nstring = string / nil`
    mutating func writeNString(_ value: [UInt8]?) {
        guard let value else { return write("NIL") }
        writeString(value)
    }

    /// `astring = 1*ASTRING-CHAR / string`; `NIL` is quoted so that it is never read as nil.
    mutating func writeAString(_ value: [UInt8]) {
        let isNil = value.count == 3 && value.map(GrammarParser.upper) == Array("NIL".utf8)
        if !value.isEmpty, !isNil, value.allSatisfy(IMAPCharacter.isAStringChar) {
            bytes.append(contentsOf: value)
        } else {
            writeString(value)
        }
    }

    /// `literal` or, with `binary`, `literal8` (`~{n}`, RFC 3516).
    mutating func writeLiteral(_ value: some Collection<UInt8>, binary: Bool) {
        write(binary ? "~{" : "{")
        write(number: value.count)
        write("}")
        crlf()
        bytes.append(contentsOf: value)
    }

    /// Quoted strings carry no CR, LF or NUL; 8-bit only as UTF-8 once UTF8=ACCEPT is on.
    private func canQuote(_ value: some Collection<UInt8>) -> Bool {
        guard value.count <= options.maxQuotedLength else { return false }
        var hasEightBit = false
        for byte in value {
            switch byte {
            case 0, UInt8(ascii: "\r"), UInt8(ascii: "\n"): return false
            case 0x80...: hasEightBit = true
            default: continue
            }
        }
        guard hasEightBit else { return true }
        return options.utf8Accepted && String(validating: Array(value), as: UTF8.self) != nil
    }

    private mutating func writeQuoted(_ value: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `text = 1*TEXT-CHAR`: CR, LF and NUL become spaces.
    mutating func writeText(_ text: String) {
        for byte in text.utf8 {
            bytes.append(byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") || byte == 0 ? UInt8(ascii: " ") : byte)
        }
    }

    /// `"(" [flag *(SP flag)] ")"`. A keyword that is not an atom (a damaged
    /// `dovecot-keywords` file, say) is left out rather than sent to break the line.
    mutating func writeFlags(_ flags: [Flag]) {
        writeList(flags.filter(\.isValidOnWire)) { writer, flag in writer.write(flag.wire) }
    }

    /// A hierarchy delimiter: `DQUOTE QUOTED-CHAR DQUOTE / nil`.
    mutating func writeDelimiter(_ delimiter: Character?) {
        guard let delimiter else { return write("NIL") }
        writeQuoted(Array(String(delimiter).utf8))
    }
}
