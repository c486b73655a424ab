/// RFC 3501 §5.1.3 modified UTF-7, the encoding Dovecot (and Courier) use for non-ASCII
/// Maildir++ folder directory names, so a folder we create is the folder IMAP lists.
///
///     "Entwürfe"  →  "Entw&APw-rfe"        "R&D"  →  "R&-D"
public enum ModifiedUTF7 {
    /// RFC 2152 base64 with `,` in place of `/` (a `/` would split the path).
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    public static func encode(_ text: String) -> String {
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

extension ModifiedUTF7 {
    /// The name a modified UTF-7 directory name stands for; nil if it is not valid
    /// modified UTF-7 (then callers show the bytes as they are, as Dovecot does).
    public static func decode(_ text: String) -> String? {
        var output = ""
        var units: [UInt16] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            guard byte == UInt8(ascii: "&") else {
                guard byte >= 0x20, byte <= 0x7E else { return nil }
                output.unicodeScalars.append(Unicode.Scalar(byte))
                continue
            }
            guard let end = iterator.firstIndex(of: UInt8(ascii: "-")) else { return nil }
            let run = iterator[..<end]
            iterator = iterator[(end + 1)...]
            if run.isEmpty {
                output += "&"
                continue
            }
            var bits: UInt32 = 0
            var count = 0
            var bytes: [UInt8] = []
            for character in run {
                guard let value = alphabetIndex(character) else { return nil }
                bits = bits << 6 | UInt32(value)
                count += 6
                if count >= 8 {
                    count -= 8
                    bytes.append(UInt8((bits >> UInt32(count)) & 0xFF))
                }
            }
            guard bytes.count % 2 == 0 else { return nil }
            units = stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
            guard let decoded = String(validating: units, as: UTF16.self) else { return nil }
            output += decoded
        }
        return output
    }

    private static func alphabetIndex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: ","): 63
        default: nil
        }
    }
}
