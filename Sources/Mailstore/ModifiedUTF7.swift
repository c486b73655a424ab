/// RFC 3501 §5.1.3 modified UTF-7, the encoding Dovecot (and Courier) use for non-ASCII
/// Maildir++ folder directory names, so a folder we create is the folder IMAP lists.
///
///     "Entwürfe"  →  "Entw&APw-rfe"        "R&D"  →  "R&-D"
enum ModifiedUTF7 {
    /// RFC 2152 base64 with `,` in place of `/` (a `/` would split the path).
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    static func encode(_ text: String) -> String {
        var output: [UInt8] = []
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            output.append(UInt8(ascii: "&"))
            output += base64(pending.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
            output.append(UInt8(ascii: "-"))
            pending.removeAll()
        }
        for unit in text.utf16 {
            if unit >= 0x20 && unit <= 0x7E {
                flush()
                output.append(UInt8(unit))
                if unit == UInt16(UInt8(ascii: "&")) { output.append(UInt8(ascii: "-")) }
            } else {
                pending.append(unit)
            }
        }
        flush()
        return String(decoding: output, as: UTF8.self)
    }

    /// Unpadded: modified UTF-7 ends a shifted run with `-`, never `=`.
    private static func base64(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count {
                output.append(alphabet[Int((value >> (18 - 6 * position)) & 0x3F)])
            }
            index += 3
        }
        return output
    }
}
