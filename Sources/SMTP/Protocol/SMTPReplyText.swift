/// Reply text as it may go on the wire, whatever it was made from.
///
/// Reply lines carry text from outside: attachment names, addresses, a next hop's own
/// reply. Rendered raw, a CR LF in such text starts a reply line the client takes for the
/// server's (a forged `250` that puts a pipelining client out of step), and a long name
/// makes a line no client has to accept. So every line is made safe here, the one place
/// replies turn into bytes, instead of at each caller:
/// - RFC 5321 §4.2: `textstring = 1*(%d09 / %d32-126)`; anything else (CR, LF, NUL, ESC,
///   DEL, every non-ASCII scalar) becomes one `?`, as Postfix's printable() does, and a tab
///   becomes a space;
/// - RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets with its code and CRLF; a
///   longer text is cut and ends in `...`.
/// Only `SMTPReply.lines` makes a multi-line reply: that is where Moat means one.
enum SMTPReplyText {
    /// Octets in a reply line, CRLF included (RFC 5321 §4.5.3.1.5).
    static let maxLineOctets = 512
    private static let ellipsis: [UInt8] = Array("...".utf8)

    /// `text` as printable ASCII of at most `room` octets.
    static func wireSafe(_ text: String, room: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(text.utf8.count, room))
        for scalar in text.unicodeScalars {
            guard out.count < room else {
                out.replaceSubrange(max(0, room - ellipsis.count)..<out.count, with: ellipsis.prefix(room))
                return out
            }
            out.append(printableByte(scalar))
        }
        return out
    }

    private static func printableByte(_ scalar: Unicode.Scalar) -> UInt8 {
        switch scalar.value {
        case 0x20...0x7E: UInt8(scalar.value)
        case 0x09: UInt8(ascii: " ")
        default: UInt8(ascii: "?")
        }
    }
}
