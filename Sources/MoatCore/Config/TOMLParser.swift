/// A parse failure with the line it happened on.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// Parses the subset of TOML 1.0 that configuration files use: tables (`[a.b]`), bare,
/// quoted and dotted keys, basic and literal strings (single- and multi-line), integers
/// (with `_`, hex/octal/binary), floats, booleans, arrays (multi-line, trailing comma)
/// and inline tables. Dates are not needed by Moat and are rejected with a clear error.
public struct TOMLParser {
    private let bytes: [UInt8]
    private var pos = 0
    private var line = 1

    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var parser = TOMLParser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    // MARK: document structure

    private mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        var root = TOMLTable()
        var currentPath: [String] = []
        var definedTables: Set<[String]> = []
        while true {
            skipWhitespaceCommentsAndNewlines()
            guard let b = peek() else { break }
            if b == UInt8(ascii: "[") {
                pos += 1
                if peek() == UInt8(ascii: "[") { throw fail("arrays of tables ([[...]]) are not supported") }
                skipSpaces()
                let path = try parseKeyPath()
                skipSpaces()
                try expect(UInt8(ascii: "]"))
                guard definedTables.insert(path).inserted else {
                    throw fail("table [\(path.joined(separator: "."))] is defined twice")
                }
                try Self.ensureTable(&root, path: path, line: line)
                currentPath = path
                try endOfLine()
            } else {
                let keyLine = line
                let keyPath = try parseKeyPath()
                skipSpaces()
                try expect(UInt8(ascii: "="))
                skipSpaces()
                let value = try parseValue()
                try Self.insert(&root, path: currentPath + keyPath, value: value, line: keyLine)
                try endOfLine()
            }
        }
        return root
    }

    private static func ensureTable(_ table: inout TOMLTable, path: [String], line: Int) throws(TOMLError) {
        guard let first = path.first else { return }
        var child: TOMLTable
        switch table[first]?.value {
        case nil: child = TOMLTable(line: path.count == 1 ? line : 0)
        case .table(let existing)?: child = existing
        default: throw TOMLError(line: line, message: "key '\(first)' is already a value, not a table")
        }
        try ensureTable(&child, path: Array(path.dropFirst()), line: line)
        if path.count == 1 && child.line == 0 { child.line = line }
        table.set(first, .init(value: .table(child), line: table[first]?.line ?? line))
    }

    private static func insert(_ table: inout TOMLTable, path: [String], value: TOMLValue, line: Int) throws(TOMLError) {
        let key = path[0]
        if path.count == 1 {
            if table[key] != nil { throw TOMLError(line: line, message: "key '\(key)' is defined twice") }
            table.set(key, .init(value: value, line: line))
            return
        }
        var child: TOMLTable
        switch table[key]?.value {
        case nil: child = TOMLTable(line: line)
        case .table(let existing)?: child = existing
        default: throw TOMLError(line: line, message: "key '\(key)' is already a value, not a table")
        }
        try insert(&child, path: Array(path.dropFirst()), value: value, line: line)
        table.set(key, .init(value: .table(child), line: table[key]?.line ?? line))
    }

    // MARK: keys

    private mutating func parseKeyPath() throws(TOMLError) -> [String] {
        var parts = [try parseKey()]
        while true {
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else { break }
            pos += 1
            skipSpaces()
            parts.append(try parseKey())
        }
        return parts
    }

    private mutating func parseKey() throws(TOMLError) -> String {
        switch peek() {
        case UInt8(ascii: "\"")?: return try parseBasicString()
        case UInt8(ascii: "'")?: return try parseLiteralString()
        default:
            let start = pos
            while let b = peek(), Self.isBareKeyByte(b) { pos += 1 }
            guard pos > start else { throw fail("expected a key") }
            return String(decoding: bytes[start..<pos], as: UTF8.self)
        }
    }

    private static func isBareKeyByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    // MARK: values

    private mutating func parseValue() throws(TOMLError) -> TOMLValue {
        guard let b = peek() else { throw fail("expected a value") }
        switch b {
        case UInt8(ascii: "\""): return .string(try parseBasicString())
        case UInt8(ascii: "'"): return .string(try parseLiteralString())
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "{"): return try parseInlineTable()
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            if consume("true") { return .boolean(true) }
            if consume("false") { return .boolean(false) }
            throw fail("expected a value")
        default: return try parseNumber()
        }
    }

    private mutating func parseArray() throws(TOMLError) -> TOMLValue {
        try expect(UInt8(ascii: "["))
        var items: [TOMLValue] = []
        while true {
            skipWhitespaceCommentsAndNewlines()
            if peek() == UInt8(ascii: "]") { pos += 1; return .array(items) }
            items.append(try parseValue())
            skipWhitespaceCommentsAndNewlines()
            if peek() == UInt8(ascii: ",") { pos += 1; continue }
            try expect(UInt8(ascii: "]"))
            return .array(items)
        }
    }

    private mutating func parseInlineTable() throws(TOMLError) -> TOMLValue {
        try expect(UInt8(ascii: "{"))
        var table = TOMLTable(line: line)
        skipSpaces()
        if peek() == UInt8(ascii: "}") { pos += 1; return .table(table) }
        while true {
            skipSpaces()
            let keyLine = line
            let path = try parseKeyPath()
            skipSpaces()
            try expect(UInt8(ascii: "="))
            skipSpaces()
            try Self.insert(&table, path: path, value: try parseValue(), line: keyLine)
            skipSpaces()
            if peek() == UInt8(ascii: ",") { pos += 1; continue }
            try expect(UInt8(ascii: "}"))
            return .table(table)
        }
    }

    private mutating func parseNumber() throws(TOMLError) -> TOMLValue {
        let start = pos
        while let b = peek(), !Self.endsScalar(b) { pos += 1 }
        let raw = String(decoding: bytes[start..<pos], as: UTF8.self)
        let text = raw.replacingOccurrences(of: "_", with: "")
        guard !text.isEmpty else { throw fail("expected a value") }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where text.hasPrefix(prefix) {
            if let v = Int(text.dropFirst(2), radix: radix) { return .integer(v) }
            throw fail("invalid number '\(raw)'")
        }
        if let v = Int(text) { return .integer(v) }
        switch text {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let v = Double(text) { return .float(v) }
        if text.contains(":") || text.filter({ $0 == "-" }).count >= 2 {
            throw fail("dates and times are not supported ('\(raw)')")
        }
        throw fail("invalid value '\(raw)' (strings need quotes)")
    }

    private static func endsScalar(_ b: UInt8) -> Bool {
        b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == UInt8(ascii: "}") || b == UInt8(ascii: "#")
            || b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == 0x0A || b == 0x0D
    }

    private mutating func parseBasicString() throws(TOMLError) -> String {
        if consume("\"\"\"") { return try parseMultilineBasic() }
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        while true {
            guard let b = peek(), b != 0x0A else { throw fail("unterminated string") }
            pos += 1
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") { try parseEscape(into: &out) } else { out.append(b) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func parseMultilineBasic() throws(TOMLError) -> String {
        var out: [UInt8] = []
        if peek() == 0x0A { pos += 1; line += 1 } else if consume("\r\n") { line += 1 }
        while true {
            if consume("\"\"\"") { return String(decoding: out, as: UTF8.self) }
            guard let b = peek() else { throw fail("unterminated multi-line string") }
            pos += 1
            if b == 0x0A { line += 1 }
            if b == UInt8(ascii: "\\") {
                // A backslash at end of line trims the newline and following whitespace.
                if let n = peek(), n == 0x0A || n == 0x0D || n == 0x20 || n == 0x09 {
                    skipWhitespaceCommentsAndNewlines(allowComments: false)
                    continue
                }
                try parseEscape(into: &out)
            } else {
                out.append(b)
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(TOMLError) {
        guard let e = peek() else { throw fail("unterminated escape") }
        pos += 1
        switch e {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "\""): out.append(e)
        case UInt8(ascii: "\\"): out.append(e)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = e == UInt8(ascii: "u") ? 4 : 8
            guard pos + count <= bytes.count,
                  let scalarValue = UInt32(String(decoding: bytes[pos..<pos + count], as: UTF8.self), radix: 16),
                  let scalar = Unicode.Scalar(scalarValue) else { throw fail("invalid unicode escape") }
            pos += count
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))' (use single quotes for regexes)")
        }
    }

    private mutating func parseLiteralString() throws(TOMLError) -> String {
        if consume("'''") {
            if peek() == 0x0A { pos += 1; line += 1 } else if consume("\r\n") { line += 1 }
            let start = pos
            while !consume("'''") {
                guard let b = peek() else { throw fail("unterminated multi-line string") }
                if b == 0x0A { line += 1 }
                pos += 1
            }
            return String(decoding: bytes[start..<pos - 3], as: UTF8.self)
        }
        try expect(UInt8(ascii: "'"))
        let start = pos
        while let b = peek(), b != UInt8(ascii: "'") {
            if b == 0x0A { throw fail("unterminated string") }
            pos += 1
        }
        guard peek() != nil else { throw fail("unterminated string") }
        pos += 1
        return String(decoding: bytes[start..<pos - 1], as: UTF8.self)
    }

    // MARK: lexing helpers

    private func peek() -> UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private mutating func consume(_ literal: String) -> Bool {
        let lit = Array(literal.utf8)
        guard pos + lit.count <= bytes.count, Array(bytes[pos..<pos + lit.count]) == lit else { return false }
        pos += lit.count
        return true
    }

    private mutating func expect(_ b: UInt8) throws(TOMLError) {
        guard peek() == b else {
            let found = peek().map { $0 == 0x0A ? "end of line" : "'\(Character(Unicode.Scalar($0)))'" } ?? "end of file"
            throw fail("expected '\(Character(Unicode.Scalar(b)))', found \(found)")
        }
        pos += 1
    }

    private mutating func skipSpaces() {
        while let b = peek(), b == 0x20 || b == 0x09 { pos += 1 }
    }

    private mutating func skipWhitespaceCommentsAndNewlines(allowComments: Bool = true) {
        while let b = peek() {
            if b == 0x20 || b == 0x09 || b == 0x0D { pos += 1 }
            else if b == 0x0A { pos += 1; line += 1 }
            else if b == UInt8(ascii: "#") && allowComments { while let c = peek(), c != 0x0A { pos += 1 } }
            else { break }
        }
    }

    private mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        if peek() == UInt8(ascii: "#") { while let c = peek(), c != 0x0A { pos += 1 } }
        if peek() == 0x0D { pos += 1 }
        guard let b = peek() else { return }
        guard b == 0x0A else { throw fail("unexpected text after value") }
        pos += 1
        line += 1
    }

    private func fail(_ message: String) -> TOMLError { TOMLError(line: line, message: message) }
}
