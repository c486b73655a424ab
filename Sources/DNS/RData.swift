/// Decoding of the RDATA that libunbound hands back (wire format, RFC 1035 3.3).
enum RData {
    /// An A record is the four address bytes in network order (RFC 1035 3.4.1).
    static func ipv4(_ bytes: some Collection<UInt8>) -> String? {
        guard bytes.count == 4 else { return nil }
        return bytes.map(String.init).joined(separator: ".")
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
