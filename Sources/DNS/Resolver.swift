/// Looks up DNS records. Implementations: `UnboundResolver` (libunbound), and test doubles
/// in unit tests of pure logic only.
public protocol Resolver: Sendable {
    /// A records as dotted quads; empty for NXDOMAIN/NODATA; throws `DNSError` on timeout
    /// or SERVFAIL, so callers can tell "not listed" from "could not ask".
    func lookupA(_ name: String) async throws -> [String]
    /// TXT records, each record's strings concatenated.
    func lookupTXT(_ name: String) async throws -> [String]
}
