import MoatCore

/// Looks up DNS records. Implementations: `UnboundResolver` (libunbound), and test doubles
/// in unit tests of pure logic only.
///
/// Every lookup answers empty for NXDOMAIN and NODATA and throws `DNSError` on timeout,
/// SERVFAIL or any other failure, so callers can tell "does not exist" from "could not ask"
/// (Postfix's DNS_NOTFOUND vs DNS_RETRY: the 550-or-450 choice of the restrictions).
public protocol Resolver: Sendable {
    /// A records as dotted quads.
    func lookupA(_ name: String) async throws -> [String]
    /// AAAA records in RFC 5952 text.
    func lookupAAAA(_ name: String) async throws -> [String]
    /// TXT records, each record's strings concatenated.
    func lookupTXT(_ name: String) async throws -> [String]
    /// MX records in the order the server gave them (callers sort by preference).
    func lookupMX(_ name: String) async throws -> [MXRecord]
    /// PTR records of an address (`in-addr.arpa` / `ip6.arpa` name built here), names
    /// without the trailing dot. Unverified: forward confirmation is the caller's job.
    func lookupPTR(_ address: IPAddress) async throws -> [String]
}

/// One MX record (RFC 1035 3.3.9). A single record with an empty exchange (written `.`)
/// is a null MX (RFC 7505): the domain accepts no mail.
public struct MXRecord: Sendable, Hashable, CustomStringConvertible {
    public let preference: UInt16
    /// The exchange host name, lowercased, without the trailing dot; empty for the root.
    public let exchange: String

    public init(preference: UInt16, exchange: String) {
        self.preference = preference
        self.exchange = exchange
    }

    /// Master-file form, `10 mx.example.` (also how MX answers sit in the cache).
    public var description: String { "\(preference) \(exchange)." }

    /// Parses the master-file form written by `description`.
    init?(presentation: String) {
        let parts = presentation.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let preference = UInt16(parts[0]) else { return nil }
        var exchange = parts[1]
        if exchange.hasSuffix(".") { exchange = exchange.dropLast() }
        self.init(preference: preference, exchange: String(exchange))
    }

    /// True for the RFC 7505 "no mail" answer: one record, exchange `.`.
    public static func isNullMX(_ records: [MXRecord]) -> Bool {
        records.count == 1 && records[0].exchange.isEmpty
    }
}

/// The record types Moat asks for.
public enum DNSRecordType: String, Sendable, Hashable, CaseIterable {
    case a = "A"
    case aaaa = "AAAA"
    case txt = "TXT"
    case mx = "MX"
    case ptr = "PTR"

    /// The RR type number (RFC 1035 3.2.2, RFC 3596 2.1).
    public var code: Int32 {
        switch self {
        case .a: 1
        case .ptr: 12
        case .mx: 15
        case .txt: 16
        case .aaaa: 28
        }
    }
}

extension Resolver {
    /// Dispatches on the record type: one entry point for callers that carry the type as data
    /// (DNSBL rules name `A` or `TXT`). Answers in text: MX as `10 mx.example.`; a PTR
    /// question takes the reverse name's address form (`192.0.2.1`).
    public func lookup(_ name: String, type: DNSRecordType) async throws -> [String] {
        switch type {
        case .a: return try await lookupA(name)
        case .aaaa: return try await lookupAAAA(name)
        case .txt: return try await lookupTXT(name)
        case .mx: return try await lookupMX(name).map(\.description)
        case .ptr:
            guard let address = IPAddress(name) else {
                throw DNSError.other(code: -1, text: "PTR lookup needs an address, got '\(name)'")
            }
            return try await lookupPTR(address)
        }
    }
}

extension IPAddress {
    /// The name of the address's PTR record: `1.2.0.192.in-addr.arpa` (RFC 1035 3.5) or the
    /// 32 reversed nibbles under `ip6.arpa` (RFC 3596 2.5). Also the reversed part of DNSBL
    /// queries, which use the same order.
    public var reverseName: String { "\(reversedLabels).\(isIPv4 ? "in-addr.arpa" : "ip6.arpa")" }

    /// `1.2.0.192` or the reversed nibbles of an IPv6 address, no zone appended.
    public var reversedLabels: String {
        if let octets = v4Octets { return octets.reversed().map(String.init).joined(separator: ".") }
        let digits = Array("0123456789abcdef")
        var nibbles: [String] = []
        nibbles.reserveCapacity(32)
        for byte in bytes.reversed() {
            nibbles.append(String(digits[Int(byte & 0x0F)]))
            nibbles.append(String(digits[Int(byte >> 4)]))
        }
        return nibbles.joined(separator: ".")
    }
}
