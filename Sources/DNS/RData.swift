import MoatCore

/// Decoding of the RDATA that libunbound hands back (wire format, RFC 1035 3.3).
enum RData {
    /// An A record is the four address bytes in network order (RFC 1035 3.4.1).
    static func ipv4(_ bytes: some Collection<UInt8>) -> String? {
        guard bytes.count == 4 else { return nil }
        return bytes.map(String.init).joined(separator: ".")
    }

    /// An AAAA record is the sixteen address bytes (RFC 3596 2.2), shown in RFC 5952 text.
    static func ipv6(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 16 else { return nil }
        return IPAddress(networkBytes: bytes)?.description
    }

    /// A domain name in RDATA (PTR, MX exchange): length-prefixed labels ending in the root
    /// label (RFC 1035 3.1). libunbound hands RDATA back decompressed, so a compression
    /// pointer (top bits 11) is refused rather than followed. Lowercased, no trailing dot;
    /// the root name is the empty string. Nil for malformed data or trailing bytes.
    static func name(_ bytes: ArraySlice<UInt8>) -> String? {
        var labels: [String] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let n = Int(bytes[i])
            if n == 0 { return i + 1 == bytes.endIndex ? labels.joined(separator: ".").lowercased() : nil }
            guard n < 64, i + 1 + n <= bytes.endIndex else { return nil }
            labels.append(String(decoding: bytes[(i + 1)..<(i + 1 + n)], as: UTF8.self))
            i += 1 + n
        }
        return nil
    }

    /// An MX record is a 16-bit preference then the exchange name (RFC 1035 3.3.9).
    static func mx(_ bytes: [UInt8]) -> MXRecord? {
        guard bytes.count >= 3, let exchange = name(bytes[2...]) else { return nil }
        return MXRecord(preference: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), exchange: exchange)
    }

    /// A TXT record is one or more <character-string>s, each a length byte followed by that
    /// many bytes (RFC 1035 3.3.14); the strings of one record are concatenated, as
    /// SpamAssassin does with `join('', $rr->txtdata)`. A truncated string is cut at the end
    /// of the data instead of being dropped.
    static func txt(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let n = Int(bytes[i])
            let start = i + 1
            let end = min(start + n, bytes.count)
            out += bytes[start..<end]
            i = end
        }
        return String(decoding: out, as: UTF8.self)
    }
}
