#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its 16 network-order bytes; IPv4 is held IPv4-mapped
/// (`::ffff:a.b.c.d`) so one prefix comparison serves both families, as SpamAssassin's
/// NetSet and Postfix's mynetworks matching treat them.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 16 bytes, network order.
    public let bytes: [UInt8]
    /// Whether it was written (and is shown) as IPv4.
    public let isIPv4: Bool

    /// Parses `192.0.2.1`, `2001:db8::1`, `[192.0.2.1]`, `IPv6:2001:db8::1` and
    /// `::ffff:192.0.2.1` (which becomes IPv4). Nil for anything else.
    public init?(_ text: some StringProtocol) {
        var s = Substring(text)
        if s.hasPrefix("["), s.hasSuffix("]") { s = s.dropFirst().dropLast() }
        if s.count > 5, s.prefix(5).lowercased() == "ipv6:" { s = s.dropFirst(5) }
        if let percent = s.firstIndex(of: "%") { s = s[..<percent] }  // zone index
        guard !s.isEmpty, s.count <= 45 else { return nil }
        let str = String(s)
        if !str.contains(":") {
            var v4 = in_addr()
            guard Self.isStrictDottedQuad(str), inet_pton(AF_INET, str, &v4) == 1 else { return nil }
            let value = UInt32(bigEndian: v4.s_addr)
            self.init(v4: value)
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, str, &v6) == 1 else { return nil }
        self.init(networkBytes: withUnsafeBytes(of: &v6) { Array($0) })
    }

    /// From wire bytes: 4 (IPv4, as in an A record) or 16 (IPv6, as in an AAAA record;
    /// IPv4-mapped becomes IPv4). Nil for any other length.
    public init?(networkBytes raw: [UInt8]) {
        switch raw.count {
        case 4: self.init(v4: raw.reduce(0) { $0 << 8 | UInt32($1) })
        case 16: self.init(bytes: raw, isIPv4: raw[0..<10].allSatisfy { $0 == 0 } && raw[10] == 0xFF && raw[11] == 0xFF)
        default: return nil
        }
    }

    private init(bytes: [UInt8], isIPv4: Bool) {
        self.bytes = bytes
        self.isIPv4 = isIPv4
    }

    /// An IPv4 address from its host-order value.
    public init(v4 value: UInt32) {
        var b = [UInt8](repeating: 0, count: 16)
        b[10] = 0xFF; b[11] = 0xFF
        b[12] = UInt8(value >> 24); b[13] = UInt8((value >> 16) & 0xFF)
        b[14] = UInt8((value >> 8) & 0xFF); b[15] = UInt8(value & 0xFF)
        self.init(bytes: b, isIPv4: true)
    }

    /// The four IPv4 octets, or nil for IPv6.
    public var v4Octets: [UInt8]? { isIPv4 ? Array(bytes[12..<16]) : nil }

    /// `192.0.2.1` or the RFC 5952 text of an IPv6 address.
    public var description: String {
        if isIPv4 { return bytes[12..<16].map(String.init).joined(separator: ".") }
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return "::" }
        let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: text, as: UTF8.self)
    }

    /// inet_pton accepts only a.b.c.d already; this also refuses leading zeros ("010"),
    /// which some resolvers read as octal and which no MTA writes.
    private static func isStrictDottedQuad(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCII) && p.allSatisfy(\.isNumber) && (p.count == 1 || p.first != "0")
        }
    }
}
