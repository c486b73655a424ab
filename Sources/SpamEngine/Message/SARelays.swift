import Foundation
import MIME

/// One relay parsed from a `Received` header (SpamAssassin's relay hash).
public struct SARelay: Sendable, Equatable {
    public var ip: String
    public var rdns: String
    public var helo: String
    public var by: String
    public var ident: String
    public var envfrom: String
    public var id: String
    public var auth: String
    public var isPrivate: Bool
    public var isInternal: Bool
    /// Inside `msa_networks`.
    public var isMSA = false
    /// The MTA that wrote the line looks up the client's name and found none
    /// (`no_reverse_dns`).
    public var noReverseDNS = false

    /// `[ ip=… rdns=… helo=… by=… ident=… envfrom=… intl=0 id=… auth=… msa=0 ]`
    public var asString: String {
        "[ ip=\(ip) rdns=\(rdns) helo=\(helo) by=\(by) ident=\(ident) envfrom=\(envfrom) intl=\(isInternal ? 1 : 0) id=\(id) auth=\(auth) msa=\(isMSA ? 1 : 0) ]"
    }
}

/// Relays from `Received` headers split into trusted/untrusted and internal/external as
/// SpamAssassin 4.0.1's `Message::Metadata::Received::parse_received_headers` does. With
/// `trusted_networks` or `internal_networks` configured, a relay stays trusted while its IP
/// is in the trusted set (or the hop was authenticated), internal while also in the internal
/// set; an MSA relay extends trust to everything below it. With neither configured, trust is
/// inferred: relays stay trusted (and internal) while the connecting IP is private or the hop
/// was authenticated; the first public unauthenticated relay and everything below it are
/// untrusted. Each line is read by ``SAReceivedParser`` (a port of `parse_received_line`);
/// the stock `originating_ip_headers` add a relay each after the Received headers.
public struct SARelays: Sendable {
    public var trusted: [SARelay] = []
    public var untrusted: [SARelay] = []
    /// Relays outside `internal_networks` (`relays_external`), newest first.
    public var external: [SARelay] = []
    /// Index of the last Received header in the trusted part (-1: none).
    public var lastTrustedIndex = -1
    /// Lines no form of the parser understood (`num_relays_unparseable`).
    public var unparseableCount = 0

    public var trustedString: [UInt8] { Array(trusted.map(\.asString).joined(separator: " ").utf8) }
    public var untrustedString: [UInt8] { Array(untrusted.map(\.asString).joined(separator: " ").utf8) }

    /// The stock `originating_ip_headers` (10_default_prefs.cf).
    static let originatingIPHeaders = ["X-Yahoo-Post-IP", "X-Originating-IP", "X-Apparently-From", "X-SenderIP", "X-AOL-IP",
                                       "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp"]

    init(_ headers: SAHeaderStore, trust: RelayTrust = .inferred) {
        var inTrusted = true
        var inInternal = true
        var foundMSA = false
        var allowMailfetchMarkers = true
        var qmailScannerEnvfrom: String?
        for raw in Self.lines(headers) {
            let pendingEnvfrom = qmailScannerEnvfrom
            qmailScannerEnvfrom = nil
            let parsed = SAReceivedParser.parse(raw)
            guard case .relay(var relay) = parsed else {
                switch parsed {
                case .unparseable: unparseableCount += 1
                case .fetcherMarker where allowMailfetchMarkers:
                    // found_pop_fetcher_sig: the hops above the fetcher were local
                    trusted = []
                    external = []
                case .qmailScanner(let envfrom): qmailScannerEnvfrom = envfrom
                default: break
                }
                if inTrusted { lastTrustedIndex += 1 }
                continue
            }
            if let pendingEnvfrom { relay.envfrom = pendingEnvfrom }
            if inTrusted && !foundMSA {
                if !trust.isConfigured {
                    if !(relay.isPrivate || !relay.auth.isEmpty) { inTrusted = false; inInternal = false }
                } else if relay.auth.isEmpty && !trust.trusted.contains(relay.ip) {
                    // not trusted is not internal either (no `originating` caller here)
                    inTrusted = false
                    inInternal = false
                } else {
                    if inInternal && relay.auth.isEmpty && !trust.internal.contains(relay.ip) { inInternal = false }
                    if trust.msa.contains(relay.ip) { foundMSA = true; relay.isMSA = true }
                }
            }
            relay.isInternal = inInternal
            if !inInternal { external.append(relay) }
            if inTrusted {
                trusted.append(relay); lastTrustedIndex += 1
                allowMailfetchMarkers = true
            } else {
                untrusted.append(relay)
                allowMailfetchMarkers = false
            }
        }
    }

    private static let originatingIP = EvalSupport.regex(EvalSupport.withIP("($IP_ADDRESS)"))

    /// The decoded Received values (unfolded), then `from X-Originating-IP: IP` for the first
    /// address in each `originating_ip_headers` header present (its last instance, as scalar
    /// `get_header` returns).
    static func lines(_ headers: SAHeaderStore) -> [[UInt8]] {
        var lines = headers.decoded("Received").map(unfold)
        for name in originatingIPHeaders {
            guard let value = headers.decoded(name).last,
                  let caps = EvalSupport.captures(originatingIP, value), let ip = caps[1] else { continue }
            lines.append(Array("from X-Originating-IP: ".utf8) + ip + [0x0A])
        }
        return lines
    }

    /// `s/\n[ \t]+/ /gs`
    private static func unfold(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == 0x0A, i + 1 < b.count, b[i + 1] == 0x20 || b[i + 1] == 0x09 {
                out.append(0x20)
                i += 1
                while i < b.count, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
                continue
            }
            out.append(b[i])
            i += 1
        }
        return out
    }

    /// Parses one unfolded Received value; nil when it is unparseable or a skipped form.
    public static func parse(_ line: String) -> SARelay? {
        if case .relay(let relay) = SAReceivedParser.parse(Array(line.utf8)) { return relay }
        return nil
    }

    static func isPrivate(_ ip: String) -> Bool {
        let p = ip.split(separator: ".").compactMap { Int($0) }
        guard p.count == 4 else { return false }
        switch p[0] {
        case 10, 127: return true
        case 169: return p[1] == 254
        case 172: return (16...31).contains(p[1])
        case 192: return p[1] == 168
        case 100: return (64...127).contains(p[1])
        default: return false
        }
    }

    /// Whether `s` is all ASCII.
    static func isASCII(_ s: String) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { b in b.allSatisfy { $0 < 0x80 } } ?? s.utf8.allSatisfy { $0 < 0x80 }
    }
}
