/// How ENVELOPE and BODYSTRUCTURE flatten header values for IMAP strings, as Dovecot does.
enum HeaderValue {
    /// The value with CR and LF removed and NUL replaced (IMAP strings hold neither).
    static func withoutLineBreaks(_ value: [UInt8]) -> [UInt8] {
        replacingNUL(value.filter { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") })
    }

    /// `bytes` with each NUL as U+FFFD, as Dovecot sends message data: NUL is not allowed
    /// in IMAP strings or literals.
    static func replacingNUL(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0) else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 8)
        for byte in bytes {
            if byte == 0 { output.append(contentsOf: HeaderValueScanner.replacementCharacter) } else { output.append(byte) }
        }
        return output
    }

    /// Text for people (subjects, display names): runs of blanks and line breaks become one
    /// space, none at either end; NUL becomes U+FFFD as Dovecot writes it.
    static func forHumans(_ value: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(value.count)
        var pendingSpace = false
        for byte in value {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                pendingSpace = !output.isEmpty
            default:
                if pendingSpace { output.append(UInt8(ascii: " ")) }
                pendingSpace = false
                if byte == 0 { output.append(contentsOf: HeaderValueScanner.replacementCharacter) } else { output.append(byte) }
            }
        }
        return output
    }
}
