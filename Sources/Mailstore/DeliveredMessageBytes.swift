#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MoatCore

/// The bytes a local delivery stores, built without re-serialising the message: the
/// `Return-Path` and `Delivered-To` lines are prepended (in that order, as Postfix's
/// virtual(8) and local(8) write them) and CRLF line ends become LF.
///
/// Why LF: Maildir is a Unix format. Dovecot's LDA and LMTP store LF by default
/// (`mail_save_crlf = no`) and add the CR back when serving IMAP; mutt, Python's `mailbox`
/// and grep expect LF. `S=` is therefore the stored (LF) size and `W=` the CRLF size, the
/// two numbers Dovecot keeps in the name. A lone CR is not a line end and is kept.
struct DeliveredMessageBytes {
    /// Written to the file in order; the message is passed through uncopied when it has
    /// no CR at all (the usual case once mail has been through a Unix queue).
    let chunks: [[UInt8]]
    /// Bytes on disk: the `S=` field and what the quota counts.
    let size: Int
    /// Bytes with every LF as CRLF: the `W=` field.
    let virtualSize: Int

    /// - Throws: `MailstoreError.invalidAddress` if either address contains CR, LF or NUL,
    ///   which would let an envelope address inject header lines.
    init(message: [UInt8], sender: EmailAddress, recipient: EmailAddress) throws {
        let body = LineEndings.lineFeedsOnly(message)
        try self.init(lineFeedMessage: body, lineFeeds: Self.lineFeeds(in: body), sender: sender, recipient: recipient)
    }

    /// As `init(message:…)` for a message already converted with `LineEndings.lineFeedsOnly`
    /// (once for all the mailboxes it goes to: the conversion is not idempotent on CR CR LF),
    /// whose `lineFeeds(in:)` was counted once with it: only the two header lines are
    /// counted here, not the whole body again for every mailbox.
    init(lineFeedMessage body: [UInt8], lineFeeds: Int, sender: EmailAddress, recipient: EmailAddress) throws {
        // Postfix quotes the local part (quote_822_local) and lowercases Delivered-To,
        // whose job is loop detection: case must not make the same mailbox look new.
        let returnPath = sender.description
        let deliveredTo = String(decoding: recipient.description.utf8.map(Self.asciiLowercased), as: UTF8.self)
        for address in [returnPath, deliveredTo] where address.utf8.contains(where: Self.isLineBreaking) {
            throw MailstoreError.invalidAddress(address)
        }
        let header = Array("Return-Path: <\(returnPath)>\nDelivered-To: \(deliveredTo)\n".utf8)
        chunks = [header, body]
        size = header.count + body.count
        virtualSize = size + Self.lineFeeds(in: header) + lineFeeds
    }

    /// The LFs in `bytes`: each becomes CRLF in the `W=` size.
    ///
    /// memchr hop by hop: a byte-by-byte reduce over a 10 MB message was most of the time a
    /// debug build spent delivering it.
    static func lineFeeds(in bytes: [UInt8]) -> Int {
        let target = UInt8(ascii: "\n")
        return bytes.withUnsafeBytes { raw in
            guard var cursor = raw.baseAddress else { return 0 }
            let end = cursor + raw.count
            var found = 0
            while cursor < end, let hit = memchr(cursor, Int32(target), cursor.distance(to: end)) {
                found += 1
                cursor = UnsafeRawPointer(hit) + 1
            }
            return found
        }
    }

    private static func isLineBreaking(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") || byte == 0
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
