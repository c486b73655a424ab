/// Looks up DNS records. Implementations: `UnboundResolver` (libunbound), and test doubles
/// in unit tests of pure logic only.
public protocol Resolver: Sendable {
    /// A records as dotted quads; empty for NXDOMAIN/NODATA; throws `DNSError` on timeout
    /// or SERVFAIL, so callers can tell "not listed" from "could not ask".
    func lookupA(_ name: String) async throws -> [String]
    /// TXT records, each record's strings concatenated.
    func lookupTXT(_ name: String) async throws -> [String]
}

/// The record types Moat asks for.
public enum DNSRecordType: String, Sendable, Hashable, CaseIterable {
    case a = "A"
    case txt = "TXT"

    /// The RR type number (RFC 1035 3.2.2).
    public var code: Int32 {
        switch self {
        case .a: 1
        case .txt: 16
        }
    }
}

extension Resolver {
    /// Dispatches on the record type: one entry point for callers that carry the type as data
    /// (DNSBL rules name `A` or `TXT`).
    public func lookup(_ name: String, type: DNSRecordType) async throws -> [String] {
        switch type {
        case .a: try await lookupA(name)
        case .txt: try await lookupTXT(name)
        }
    }
}
