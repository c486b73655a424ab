import MoatCore

/// RFC822.SIZE of a stored message: its size once every bare LF is sent as CRLF, which
/// is how IMAP serves Maildir's Unix lines. Used for files whose name has no `W=`.
enum MessageSize {
    static func crlfSize(ofFile path: String) throws -> Int64 {
        let bytes = try MailboxError.mappingIO { try DurableFile.contents(of: path) }
        return crlfSize(of: bytes)
    }

    static func crlfSize(of bytes: [UInt8]) -> Int64 {
        var bareLineFeeds: Int64 = 0
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A && previous != 0x0D { bareLineFeeds += 1 }
            previous = byte
        }
        return Int64(bytes.count) + bareLineFeeds
    }

    /// `bytes` with each bare LF as CRLF: what FETCH and POP3 RETR send.
    static func withCRLF(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 32)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A && previous != 0x0D { output.append(0x0D) }
            output.append(byte)
            previous = byte
        }
        return output
    }
}
