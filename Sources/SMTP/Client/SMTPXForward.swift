// SMTPXForward - XFORWARD command lines (Postfix XFORWARD_README).
//
// The client passes the original client's identity: NAME, ADDR, PROTO, HELO, SOURCE,
// each only if the server listed it in its EHLO XFORWARD line. Values are xtext
// (RFC 3461 §4); an unknown value is sent as `[UNAVAILABLE]`. Postfix's smtpd reads
// XFORWARD lines of at most 512 bytes with CRLF, so attributes are packed greedily into
// as many commands as that takes (Postfix's own client sends two).

import MoatCore

public enum SMTPXForward {
    /// The value Postfix uses for an attribute it does not know.
    public static let unavailable = "[UNAVAILABLE]"
    /// Longest command line, CRLF included.
    public static let maxLineLength = 512

    /// The XFORWARD commands (without CRLF) for `client`, restricted to `advertised`
    /// attribute names (upper case). Empty when nothing is advertised.
    public static func commands(for client: ClientIdentity, advertised: Set<String>) -> [String] {
        let attributes: [(String, String?)] = [
            ("NAME", client.hostname),
            ("ADDR", client.address),
            ("PROTO", client.protocolName),
            ("HELO", client.helo),
            ("SOURCE", client.source),
        ]
        var commands: [String] = []
        var current = "XFORWARD"
        for (name, value) in attributes where advertised.contains(name) {
            let encoded = value.map { $0.isEmpty ? unavailable : xtext($0) } ?? unavailable
            let item = "\(name)=\(encoded)"
            if current != "XFORWARD",
               current.utf8.count + 1 + item.utf8.count + 2 > maxLineLength {
                commands.append(current)
                current = "XFORWARD"
            }
            current += " " + item
        }
        if current != "XFORWARD" { commands.append(current) }
        return commands
    }

    /// RFC 3461 §4 xtext: "!" to "~" except "+" and "=" as themselves, every other byte
    /// (UTF-8 included) as `+XX` with upper-case hex.
    public static func xtext(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if (33...126).contains(byte) && byte != UInt8(ascii: "+") && byte != UInt8(ascii: "=") {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "+"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
