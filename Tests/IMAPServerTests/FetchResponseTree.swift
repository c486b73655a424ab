import IMAP

/// A FETCH response read back into a tree (lists, strings, NIL, atoms), so the tests can
/// compare what Moat and Dovecot send whatever string form each chose (atom, quoted,
/// literal). Test-only: trusts its input to be a well-formed response.
indirect enum FetchResponseTree: Hashable, CustomStringConvertible {
    case nilValue
    case atom(String)
    case string([UInt8])
    case list([FetchResponseTree])

    var description: String {
        switch self {
        case .nilValue: return "NIL"
        case .atom(let atom): return atom
        case .string(let bytes): return "\"" + bytes.map(Self.escaped).joined() + "\""
        case .list(let items): return "(" + items.map(\.description).joined(separator: " ") + ")"
        }
    }

    private static func escaped(_ byte: UInt8) -> String {
        switch byte {
        case 0x0D: return "\\r"
        case 0x0A: return "\\n"
        case 0x20..<0x7F: return String(UnicodeScalar(byte))
        default: return "\\x" + String(byte, radix: 16)
        }
    }

    /// The items of every `* n FETCH (…)` line in `response`, as name → value (names
    /// uppercased), keyed by message sequence number.
    static func fetchItems(in response: [UInt8]) -> [Int: [String: FetchResponseTree]] {
        var reader = Reader(bytes: response)
        var result: [Int: [String: FetchResponseTree]] = [:]
        while !reader.atEnd {
            if reader.hasPrefix("* "), let (number, items) = reader.fetchLine() {
                var named: [String: FetchResponseTree] = [:]
                var index = 0
                while index + 1 < items.count {
                    if case .atom(let name) = items[index] { named[name.uppercased()] = items[index + 1] }
                    index += 2
                }
                result[number, default: [:]].merge(named) { $1 }
            } else {
                reader.skipLine()
            }
        }
        return result
    }

    /// The items of one encoded FETCH response.
    static func items(of attributes: [MessageAttribute]) -> [String: FetchResponseTree] {
        fetchItems(in: ResponseEncoder().encode(.untagged(.fetch(1, attributes))))[1] ?? [:]
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position >= bytes.count }

        func hasPrefix(_ text: String) -> Bool {
            let prefix = Array(text.utf8)
            return bytes.count - position >= prefix.count && Array(bytes[position..<(position + prefix.count)]) == prefix
        }

        mutating func skipLine() {
            while position < bytes.count, bytes[position] != 0x0A { position += 1 }
            position += 1
        }

        mutating func fetchLine() -> (Int, [FetchResponseTree])? {
            let start = position
            position += 2
            var digits = ""
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
                digits.append(Character(UnicodeScalar(bytes[position])))
                position += 1
            }
            guard let number = Int(digits), hasPrefix(" FETCH (") else {
                position = start
                skipLine()
                return nil
            }
            position += 7
            guard case .list(let items) = value() else { return nil }
            skipLine()
            return (number, items)
        }

        mutating func value() -> FetchResponseTree {
            while position < bytes.count, bytes[position] == 0x20 { position += 1 }
            guard position < bytes.count else { return .nilValue }
            switch bytes[position] {
            case UInt8(ascii: "("):
                position += 1
                var items: [FetchResponseTree] = []
                while position < bytes.count {
                    while position < bytes.count, bytes[position] == 0x20 { position += 1 }
                    if position < bytes.count, bytes[position] == UInt8(ascii: ")") {
                        position += 1
                        break
                    }
                    items.append(value())
                }
                return .list(items)
            case UInt8(ascii: "\""):
                position += 1
                var text: [UInt8] = []
                while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
                    if bytes[position] == UInt8(ascii: "\\") { position += 1 }
                    text.append(bytes[position])
                    position += 1
                }
                position += 1
                return .string(text)
            case UInt8(ascii: "{"), UInt8(ascii: "~"):
                if bytes[position] == UInt8(ascii: "~") { position += 1 }
                position += 1
                var digits = ""
                while bytes[position] != UInt8(ascii: "}") {
                    digits.append(Character(UnicodeScalar(bytes[position])))
                    position += 1
                }
                position += 3
                let length = Int(digits) ?? 0
                defer { position += length }
                return .string(Array(bytes[position..<min(bytes.count, position + length)]))
            default:
                var atom: [UInt8] = []
                var brackets = 0
                while position < bytes.count {
                    let byte = bytes[position]
                    if byte == UInt8(ascii: "[") { brackets += 1 }
                    if byte == UInt8(ascii: "]") { brackets -= 1 }
                    if brackets == 0 && (byte == 0x20 || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "(") || byte == 0x0D) { break }
                    atom.append(byte)
                    position += 1
                }
                let text = String(decoding: atom, as: UTF8.self)
                return text.uppercased() == "NIL" ? .nilValue : .atom(text)
            }
        }
    }
}
