import Foundation

/// IP address text as SpamAssassin's DNS tests handle it (`Util::reverse_ip_address`,
/// `Constants::IP_PRIVATE`).
public enum IPAddressText {
    /// Four decimal octets, each 0…255, nothing else.
    public static func ipv4(_ text: String) -> [UInt8]? {
        ipv4Number(text).map { n in [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] }
    }

    /// The 16 bytes of an IPv6 address (an `IPv6:` prefix, as in Received headers, is allowed).
    public static func ipv6(_ text: String) -> [UInt8]? {
        var t = text
        if t.lowercased().hasPrefix("ipv6:") { t.removeFirst(5) }
        guard t.contains(":") else { return nil }
        var addr = in6_addr()
        guard inet_pton(AF_INET6, t, &addr) == 1 else { return nil }
        return withUnsafeBytes(of: &addr) { Array($0) }
    }

    /// The DNSBL query label for an address (RFC 5782 2.1 and 2.4): `d.c.b.a` for IPv4,
    /// 32 reversed nibbles for IPv6; nil for anything else.
    public static func reversed(_ ip: String) -> String? {
        if let v4 = ipv4(ip) { return v4.reversed().map(String.init).joined(separator: ".") }
        if let v6 = ipv6(ip) {
            let hex = Array("0123456789abcdef")
            var nibbles: [Character] = []
            for byte in v6 { nibbles += [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]] }
            return nibbles.reversed().map(String.init).joined(separator: ".")
        }
        return nil
    }

    /// SpamAssassin's `IS_IP_PRIVATE`: 10/8, 127/8, 169.254/16, 172.16/12, 192.168/16,
    /// 100.64/10, those mapped into IPv6 (`::ffff:a.b.c.d`), fe80::/10 and ::1. (Like
    /// SpamAssassin 4.0.1, fc00::/7 is not included.)
    public static func isPrivate(_ ip: String) -> Bool {
        if let v4 = ipv4(ip) { return isPrivateV4(v4) }
        if let v6 = ipv6(ip) {
            if v6[0] == 0xfe, v6[1] & 0xc0 == 0x80 { return true }
            if v6[0..<15].allSatisfy({ $0 == 0 }), v6[15] == 1 { return true }
            if v6[0..<10].allSatisfy({ $0 == 0 }), v6[10] == 0xff, v6[11] == 0xff { return isPrivateV4(Array(v6[12..<16])) }
        }
        return false
    }

    private static func isPrivateV4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (10, _), (127, _), (169, 254), (192, 168): true
        case (172, 16...31): true
        case (100, 64...127): true
        default: false
        }
    }

    /// The address as a 32-bit number (`my_inet_aton`, for subtest bitmasks), or nil unless
    /// `text` is four dot-separated runs of one to three ASCII digits, each ≤ 255 (leading
    /// zeros allowed: SpamAssassin's `IS_IPV4_ADDRESS`).
    static func ipv4Number(_ text: String) -> UInt32? {
        var number: UInt32 = 0, parts = 1, digits = 0, value: UInt32 = 0
        for b in text.utf8 {
            if b == 0x2E {
                guard digits > 0, value <= 255, parts < 4 else { return nil }
                number = number << 8 | value
                parts += 1
                digits = 0
                value = 0
            } else if b >= 0x30 && b <= 0x39 {
                digits += 1
                guard digits <= 3 else { return nil }
                value = value * 10 + UInt32(b - 0x30)
            } else {
                return nil
            }
        }
        guard parts == 4, digits > 0, value <= 255 else { return nil }
        return number << 8 | value
    }
}
