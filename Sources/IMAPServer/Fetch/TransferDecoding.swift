/// The Content-Transfer-Encodings BINARY undoes (RFC 2045 §6, RFC 3516 §4.2), read and
/// decoded as Dovecot does: strictly, so damaged data is reported rather than guessed at.
enum TransferDecoding: Equatable {
    case identity
    case base64
    case quotedPrintable

    /// Raised by `decode` for data that is not valid in its encoding.
    struct InvalidData: Error {}

    /// The encoding a `Content-Transfer-Encoding` value names: one token, any case, and
    /// nothing after it but blanks and comments; nil when unknown.
    init?(fieldValue: [UInt8]) {
        var scanner = HeaderValueScanner(fieldValue)
        _ = scanner.skipWhitespace()
        var token: [UInt8] = []
        guard scanner.parseToken(into: &token) != .broken, scanner.atEnd || scanner.skipWhitespace() == .end else { return nil }
        switch String(decoding: token.asciiLowercased, as: UTF8.self) {
        case "7bit", "8bit", "binary": self = .identity
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        default: return nil
        }
    }

    var convertsData: Bool { self != .identity }

    func decode(_ body: ArraySlice<UInt8>) throws(InvalidData) -> [UInt8] {
        switch self {
        case .identity: return Array(body)
        case .base64: return try Self.decodeBase64(body)
        case .quotedPrintable: return try Self.decodeQuotedPrintable(body)
        }
    }

    /// Blanks and line breaks are skipped; a byte outside the alphabet, too much padding
    /// or data after the padding is invalid. A last group cut short (no padding) is
    /// decoded as far as it goes; Dovecot 2.3 drops the connection there instead.
    private static func decodeBase64(_ body: ArraySlice<UInt8>) throws(InvalidData) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count * 3 / 4)
        var group: UInt32 = 0
        var count = 0
        var padding = 0
        for byte in body {
            if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A { continue }
            if byte == UInt8(ascii: "=") {
                // Padding completes a group of two or three characters, and nothing else.
                guard count >= 2, count + padding < 4 else { throw InvalidData() }
                padding += 1
                continue
            }
            guard padding == 0, let value = base64Value(byte) else { throw InvalidData() }
            group = group << 6 | UInt32(value)
            count += 1
            if count == 4 {
                output.append(contentsOf: [UInt8(group >> 16 & 0xFF), UInt8(group >> 8 & 0xFF), UInt8(group & 0xFF)])
                group = 0
                count = 0
            }
        }
        if padding > 0 && count + padding != 4 { throw InvalidData() }
        switch count {
        case 2: output.append(UInt8(group >> 4 & 0xFF))
        case 3: output.append(contentsOf: [UInt8(group >> 10 & 0xFF), UInt8(group >> 2 & 0xFF)])
        default: break
        }
        return output
    }

    private static func base64Value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }

    /// RFC 2045 §6.7: blanks at line ends dropped, `=XX` (either case) a byte, `=` at a
    /// line end a soft break; hard line breaks come out as CRLF. `=` followed by anything
    /// else is invalid.
    private static func decodeQuotedPrintable(_ body: ArraySlice<UInt8>) throws(InvalidData) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let lineFeed = body[lineStart...].firstIndex(of: 0x0A)
            var contentEnd = lineFeed ?? body.endIndex
            if let lineFeed, lineFeed > lineStart && body[lineFeed - 1] == 0x0D { contentEnd = lineFeed - 1 }
            while contentEnd > lineStart && (body[contentEnd - 1] == 0x20 || body[contentEnd - 1] == 0x09) { contentEnd -= 1 }
            var softBreak = false
            var index = lineStart
            while index < contentEnd {
                let byte = body[index]
                guard byte == UInt8(ascii: "=") else {
                    output.append(byte)
                    index += 1
                    continue
                }
                if index + 1 == contentEnd {
                    softBreak = true
                    break
                }
                guard index + 2 < contentEnd, let high = hexValue(body[index + 1]), let low = hexValue(body[index + 2]) else {
                    throw InvalidData()
                }
                output.append(high << 4 | low)
                index += 3
            }
            guard let lineFeed else { break }
            if !softBreak { output.append(contentsOf: [0x0D, 0x0A]) }
            lineStart = lineFeed + 1
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
