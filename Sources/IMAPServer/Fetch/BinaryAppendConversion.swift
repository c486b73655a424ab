import MIME

/// APPEND of a literal8 (RFC 3516 §4.3), as Dovecot stores it: every single part whose
/// `Content-Transfer-Encoding` is `binary` is rewritten as base64 (76-character lines) with
/// that field saying `base64`, so BODY[] never carries raw binary (or NUL) while BINARY[]
/// still gives back the exact bytes. Everything else is kept byte for byte.
public enum BinaryAppendConversion {
    /// `message` with its binary parts in base64; the same bytes when it has none.
    public static func toBase64(_ message: [UInt8]) -> [UInt8] {
        let parts = MessagePartParser.parse(message)
        var output: [UInt8] = []
        var copied = 0
        for part in parts where part.children.isEmpty && !part.isMultipart {
            guard let field = part.fields.first(where: { isBinaryEncoding($0, in: message) }) else { continue }
            output.append(contentsOf: message[copied..<field.range.lowerBound])
            output.append(contentsOf: Array("Content-Transfer-Encoding: base64\r\n".utf8))
            output.append(contentsOf: message[field.range.upperBound..<part.headerEnd])
            output.append(contentsOf: Base64Codec.encode(message[part.bodyRange], lineLength: 76))
            copied = part.bodyRange.upperBound
        }
        guard copied > 0 else { return message }
        output.append(contentsOf: message[copied...])
        return output
    }

    /// `Content-Transfer-Encoding: binary` on one line, any case, one blank at most after
    /// the colon and none after the word (Dovecot's exact test).
    private static func isBinaryEncoding(_ field: HeaderLine, in message: [UInt8]) -> Bool {
        guard field.isNamed("Content-Transfer-Encoding", in: message) else { return false }
        var value = message[field.valueRange]
        if let first = value.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { value = value.dropFirst() }
        return Array(value).equalsIgnoringASCIICase(Array("binary".utf8))
    }
}
