/// How much of the public Internet a network list (mynetworks) covers: the union of its
/// positive entries, measured per address family, with the ranges a site keeps to itself
/// (loopback, RFC 1918, RFC 6598, link-local, IPv6 ULA) left out. Exclusions (`!net`) are
/// not subtracted: a list that starts from everything and carves a few holes still lets
/// nearly every client relay.
///
/// Postfix accepts `mynetworks = 0.0.0.0/0` (or `0.0.0.0/1 128.0.0.0/1`) silently and is an
/// open relay; Moat measures the union so no split of the same space slips through.
public struct NetworkReach: Sendable, Equatable {
    /// How far the list reaches, widest family first.
    public enum Extent: Int, Sendable, Comparable {
        /// At most a /16 of public IPv4 and a /32 of public IPv6: a site's own networks.
        case site
        /// More public space than a site owns: allowed only with explicit consent.
        case wide
        /// Every public address of a family: an open relay whatever the consent.
        case everything

        public static func < (a: Extent, b: Extent) -> Bool { a.rawValue < b.rawValue }
    }

    public let extent: Extent
    /// What was measured, for the admin: "every public IPv4 address", "131072 public IPv4
    /// addresses (more than a /16)"; empty for `.site`.
    public let summary: String

    /// Measures `networks`.
    public init(_ networks: NetworkSet) {
        let cidrs = networks.entries.filter { !$0.excluded }.map(\.cidr)
        var widest = (Extent.site, "")
        for space in AddressSpace.all {
            let measured = space.measure(cidrs.filter { $0.network.isIPv4 == space.isIPv4 })
            if measured.0 > widest.0 { widest = measured }
        }
        (extent, summary) = widest
    }
}

/// One family as a line of 64-bit positions: IPv4 addresses, or IPv6 /64 networks (no site
/// owns less than a /64, so finer IPv6 prefixes count as the /64 they sit in).
struct AddressSpace {
    let isIPv4: Bool
    /// Bits of a position: 32 for IPv4, 64 for IPv6 /64s.
    let bits: Int
    /// The widest public prefix a site is taken to own (/16, /32).
    let siteLimit: Int
    /// Ranges a site keeps to itself; never counted.
    let local: [CIDR]

    static let all = [
        AddressSpace(isIPv4: true, bits: 32, siteLimit: 16, local: [
            "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
        ].map { try! CIDR($0) }),
        AddressSpace(isIPv4: false, bits: 64, siteLimit: 32, local: [
            "::1/128", "fc00::/7", "fe80::/10",
        ].map { try! CIDR($0) }),
    ]

    private var family: String { isIPv4 ? "IPv4" : "IPv6" }
    private var last: UInt64 { bits == 64 ? .max : (1 << bits) - 1 }

    /// The extent and summary for `cidrs`, all of this family.
    func measure(_ cidrs: [CIDR]) -> (NetworkReach.Extent, String) {
        let covered = Span.union(cidrs.map(span))
        let locals = Span.union(local.map(span))
        if Span.union(covered + locals) == [Span(lo: 0, hi: last)] {
            return (.everything, "every public \(family) address")
        }
        // Less than the whole line, so the sum cannot overflow.
        let count = covered.flatMap { $0.removing(locals) }.reduce(UInt64(0)) { $0 + ($1.hi - $1.lo) + 1 }
        let limit = UInt64(1) << (bits - siteLimit)
        guard count > limit else { return (.site, "") }
        let unit = isIPv4 ? "addresses" : "/64 networks"
        return (.wide, "\(count) public \(family) \(unit) (more than a /\(siteLimit))")
    }

    /// The positions `cidr` covers.
    private func span(_ cidr: CIDR) -> Span {
        let bytes = cidr.network.bytes
        let start = isIPv4
            ? bytes[12..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            : bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let hostBits = bits - min(cidr.prefixLength, bits)
        let size = hostBits == 0 ? 0 : UInt64.max >> (64 - hostBits)
        return Span(lo: start, hi: start | size)
    }
}

/// An inclusive range of positions.
struct Span: Equatable {
    var lo: UInt64
    var hi: UInt64

    /// Sorted, merged, adjacent spans joined.
    static func union(_ spans: [Span]) -> [Span] {
        var merged: [Span] = []
        for s in spans.sorted(by: { $0.lo < $1.lo }) {
            if let tail = merged.last, tail.hi == .max || s.lo <= tail.hi + 1 {
                merged[merged.count - 1].hi = max(tail.hi, s.hi)
            } else {
                merged.append(s)
            }
        }
        return merged
    }

    /// This span minus `holes` (sorted, disjoint).
    func removing(_ holes: [Span]) -> [Span] {
        var pieces: [Span] = []
        var from = lo
        for hole in holes where hole.hi >= from && hole.lo <= hi {
            if hole.lo > from { pieces.append(Span(lo: from, hi: hole.lo - 1)) }
            guard hole.hi < hi else { return pieces }
            from = hole.hi + 1
        }
        pieces.append(Span(lo: from, hi: hi))
        return pieces
    }
}
