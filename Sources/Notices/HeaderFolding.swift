import MoatCore

/// Greedy header folding as amavisd-new does it for `X-Spam-Status` and for the
/// `Subject` of its notifications (RFC 5322 §2.2.3):
///
/// ```
/// X-Spam-Status: Yes, score=11.126 tagged_above=-9999 required=6.31
///  tests=[FREEMAIL_FORGED_FROMDOMAIN=1, FREEMAIL_FROM=0.001,
///  FSL_HELO_NON_FQDN_1=2.361, HEADER_FROM_DIFFERENT_DOMAINS=1, HELO_NO_DOMAIN=1,
/// ```
///
/// Tokens are separated by one space; a token goes on the current line if the line,
/// counted in octets including the `Name: ` prefix, stays within `width` (inclusive: the
/// third line above is exactly 78); otherwise a continuation line starting with one
/// space begins. A token is never split while it fits a line of RFC 5322's 998 octets;
/// a longer one (a remote server's 3,000-octet reply without a space) is cut there, as
/// `bounded(_:)` cuts the lines Moat lays out itself. A token is one word: a space inside
/// it is not a place to fold.
public enum HeaderFolding {
    /// The folded field, lines separated by CRLF and ending with CRLF. With no tokens the
    /// field is `Name:` and nothing after the colon (as amavisd-new's empty `X-Spam-Level:`).
    /// Tokens go through `String.printable`: a token from outside (an archive member's
    /// name in `X-Amavis-Alert`, a remote reply in a DSN) cannot end the field with a CR LF
    /// and start a header of its own.
    public static func fold(name: String, tokens: [String], width: Int = 78) -> String {
        let limit = HeaderLineLimit.octets
        var lines: [String] = []
        var line = name + ":"
        var length = line.utf8.count
        var lineHasToken = false
        for token in tokens.lazy.map(\.printable) where !token.isEmpty {
            let tokenLength = token.utf8.count
            if !lineHasToken || length + 1 + tokenLength <= width {
                if length + 1 + tokenLength > limit {
                    // Only the first token gets here (with `width` under 998): the line is `Name:`.
                    if tokenLength < limit {
                        // It fits a line of its own.
                        lines.append(line)
                        line = " " + token
                    } else {
                        line = cut(token, after: line + " ", into: &lines)
                    }
                } else {
                    line += " " + token
                }
                length += 1 + tokenLength
            } else {
                lines.append(line)
                line = 1 + tokenLength > limit ? cut(token, after: " ", into: &lines) : " " + token
                length = 1 + tokenLength
            }
            lineHasToken = true
        }
        lines.append(line)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `token`, too long for one line, cut to fill `prefix`'s line to 998 octets and then
    /// continuation lines of a space and up to 997 octets: every line but the last goes to
    /// `lines`, the last is returned (the fold's current line).
    private static func cut(_ token: String, after prefix: String, into lines: inout [String]) -> String {
        let limit = HeaderLineLimit.octets
        let pieces = HeaderLineLimit.cut(Array(token.utf8)[...], first: limit - prefix.utf8.count, rest: limit - 1)
        var line = prefix
        for piece in pieces {
            if piece.startIndex > 0 {
                lines.append(line)
                line = " "
            }
            line += String(decoding: piece, as: UTF8.self)
        }
        return line
    }

    /// ``fold(name:tokens:width:)`` over `value` split at runs of spaces and tabs.
    public static func fold(name: String, value: String, width: Int = 78) -> String {
        fold(name: name, tokens: value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init),
             width: width)
    }

    /// `field` (CRLF-separated lines, as laid out by its builder, e.g. a `Received:` with a
    /// client's 2,000-octet HELO) with every line over 998 octets folded again: at
    /// whitespace to `width` where it can be, hard-cut at 998 where it cannot. Lines within
    /// the limit are kept as written.
    public static func bounded(_ field: String, width: Int = 78) -> String {
        String(decoding: bounded(Array(field.utf8)[...], eol: [13, 10], width: width), as: UTF8.self)
    }

    /// ``bounded(_:width:)`` over bytes whose lines end in `eol` (CRLF, or LF for a
    /// message stored with bare LFs); bytes need not be UTF-8 (a raw 8-bit Subject), but a
    /// cut never falls inside a UTF-8 sequence.
    public static func bounded(_ field: ArraySlice<UInt8>, eol: [UInt8], width: Int = 78) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(field.count + 16)
        var start = field.startIndex
        while start < field.endIndex {
            let end = lineEnd(in: field, from: start, eol: eol)
            let line = field[start..<end]
            if line.count > HeaderLineLimit.octets {
                out += boundedLine(line, width: width).joined(separator: eol)
            } else {
                out += line
            }
            guard end < field.endIndex else { break }
            out += eol
            start = end + eol.count
        }
        return out
    }

    private static func lineEnd(in bytes: ArraySlice<UInt8>, from start: Int, eol: [UInt8]) -> Int {
        var i = start
        while i < bytes.endIndex {
            if bytes[i] == eol[0], bytes[i...].starts(with: eol) { return i }
            i += 1
        }
        return bytes.endIndex
    }

    /// One line over the limit as lines of at most 998 octets, each after the first starting
    /// with a space (folding white space); words are re-joined with one space.
    private static func boundedLine(_ line: ArraySlice<UInt8>, width: Int) -> [[UInt8]] {
        let limit = HeaderLineLimit.octets
        let isSpace = { (b: UInt8) in b == 0x20 || b == 0x09 }
        let lead = line.prefix(while: isSpace)
        var lines: [[UInt8]] = []
        var current = Array(lead)
        var atStart = true  // `current` holds only its leading white space
        for word in line.dropFirst(lead.count).split(whereSeparator: isSpace) {
            defer { atStart = false }
            if atStart && current.count + word.count <= limit {
                current += word
            } else if current.count + 1 + word.count <= width {
                current += [0x20] + word
            } else if word.count < limit {
                lines.append(current)
                current = [0x20] + word
            } else {
                // Too long for any line: its first piece fills this line, the rest follow.
                if !atStart {
                    if current.count + 2 > limit {
                        lines.append(current)
                        current = [0x20]
                    } else {
                        current.append(0x20)
                    }
                }
                let pieces = HeaderLineLimit.cut(word, first: limit - current.count, rest: limit - 1)
                for piece in pieces.dropLast() {
                    lines.append(current + piece)
                    current = [0x20]
                }
                current += pieces.last ?? []
            }
        }
        lines.append(current)
        return lines
    }
}
