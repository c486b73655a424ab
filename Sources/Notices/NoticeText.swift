import MIME

/// Text helpers shared by the notices: everything that turns untrusted strings (file
/// names from attachments, header values of the original message, scanner output) into
/// safe lines of a message we generate.
public enum NoticeText {
    /// Longest token put into a generated header; longer ones are cut and marked `...`,
    /// so no attacker-chosen attachment name can push a line towards 998 octets.
    public static let maxHeaderToken = 200
    /// Longest run without a space in a body line before it is broken by force.
    public static let maxBodyToken = 900

    /// `text` with every control character (C0, DEL, C1, U+2028/2029) turned into a
    /// space: a decoded `=?UTF-8?Q?a=0D=0Ab?=` must not start a new header or body line.
    public static func sanitized(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let control = v < 0x20 || (v >= 0x7F && v < 0xA0) || v == 0x2028 || v == 0x2029
            out.append(control ? " " : scalar)
        }
        return String(out)
    }

    /// amavisd-new's `[:wrap|78||  |…]`: `text` sanitised and broken at spaces into lines
    /// of at most `width` characters, continuation lines indented by `indent`.
    public static func wrap(_ text: String, width: Int = 78, indent: String = "  ") -> [String] {
        var words: [String] = []
        for word in sanitized(text).split(separator: " ") {
            var rest = Substring(word)
            while rest.count > maxBodyToken {
                words.append(String(rest.prefix(maxBodyToken)))
                rest = rest.dropFirst(maxBodyToken)
            }
            words.append(String(rest))
        }
        var lines: [String] = []
        var line = ""
        for word in words {
            if line.isEmpty {
                line = (lines.isEmpty ? "" : indent) + word
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = indent + word
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// Header tokens for `text`: sanitised, split at spaces, over-long tokens cut, and
    /// each run of non-ASCII words turned into RFC 2047 `B` encoded-words (UTF-8, at
    /// most 75 octets each, RFC 2047 §2) so the header stays 7-bit.
    public static func headerTokens(_ text: String) -> [String] {
        let words = sanitized(text).split(separator: " ").map { word -> String in
            word.utf8.count > maxHeaderToken ? String(word.prefix(maxHeaderToken / 2)) + "..." : String(word)
        }
        var tokens: [String] = []
        var run: [String] = []
        func flushRun() {
            if !run.isEmpty { tokens += encodedWords(run.joined(separator: " ")) }
            run.removeAll()
        }
        for word in words {
            if word.utf8.allSatisfy({ $0 < 0x80 }) {
                flushRun()
                tokens.append(word)
            } else {
                run.append(word)
            }
        }
        flushRun()
        return tokens
    }

    /// `text` as adjacent `=?UTF-8?B?…?=` words, split between Unicode scalars; the
    /// whitespace between adjacent encoded-words is dropped by decoders (RFC 2047 §6.2).
    public static func encodedWords(_ text: String) -> [String] {
        let maxChunk = 45  // 45 octets -> 60 base64 characters -> a 72-octet encoded-word
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > maxChunk {
                words.append("=?UTF-8?B?" + Base64Codec.encodeToString(chunk, lineLength: 0) + "?=")
                chunk.removeAll()
            }
            chunk += bytes
        }
        if !chunk.isEmpty {
            words.append("=?UTF-8?B?" + Base64Codec.encodeToString(chunk, lineLength: 0) + "?=")
        }
        return words
    }

    /// `count` random ASCII letters, as in amavisd-new's `Message-ID: <VARCBGSptwrhCn@…>`.
    public static func randomLetters(_ count: Int) -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        var generator = SystemRandomNumberGenerator()
        var out = [UInt8]()
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(letters[Int(generator.next(upperBound: UInt64(letters.count)))]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// `[192.0.2.1]`, or nil when the client address is unknown or not plausible.
    public static func bracketedIP(_ address: String?) -> String? {
        guard let address, !address.isEmpty, address.utf8.count <= 64 else { return nil }
        let ok = address.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
                || b == 0x2E || b == 0x3A
        }
        return ok ? "[\(address)]" : nil
    }

    /// Header bytes with every line ending made CRLF, bare CR and LF included, and any
    /// trailing empty lines (the blank line that ended the header section) removed; the
    /// result ends with CRLF unless it is empty.
    public static func normalisedLines(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 32 + 2)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0D {
                out += [0x0D, 0x0A]
                if i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
            } else if b == 0x0A {
                out += [0x0D, 0x0A]
            } else {
                out.append(b)
            }
            i += 1
        }
        if !out.isEmpty && out.last != 0x0A { out += [0x0D, 0x0A] }
        while out.count >= 4 && out.suffix(4).elementsEqual([0x0D, 0x0A, 0x0D, 0x0A]) { out.removeLast(2) }
        if out == [0x0D, 0x0A] { out.removeAll() }
        return out
    }

    /// Summary lines about the original message from its header section, for the
    /// human-readable part: `From:`, `Sender:`, `Message-ID:`, `Subject:` when present.
    public static func originalHeaderSummary(_ header: [UInt8]) -> [String] {
        let parsed = MIMEMessage.parse(header + [0x0D, 0x0A, 0x0D, 0x0A])
        var lines: [String] = []
        for name in ["From", "Sender", "Message-ID", "Subject"] {
            guard let field = parsed.header.first(name) else { continue }
            let value = name == "Message-ID" ? field.unfoldedValue : field.decodedValue
            lines += wrap("\(name): \(value)")
        }
        return lines
    }
}
