/// A network `address/prefix` (IPv4 or IPv6). IPv4 prefixes are stored over the
/// IPv4-mapped form (prefix + 96) so they match IPv4 addresses only.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public let network: IPAddress
    /// Prefix length as written (0–32 for IPv4, 0–128 for IPv6).
    public let prefixLength: Int

    /// Parses `192.0.2.0/24`, `192.0.2.1` (a /32), `2001:db8::/32`, `[::1]/128`, and
    /// SpamAssassin's short forms `10.` / `10.1` / `127/8` (missing octets are zero).
    /// Host bits set below the prefix are an error, as in Postfix (`192.0.2.1/24`).
    public init(_ text: some StringProtocol) throws(CIDRError) {
        let s = String(text)
        let parts = s.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let addressText = String(parts[0])
        let address: IPAddress
        if let parsed = IPAddress(addressText) {
            address = parsed
        } else if let short = Self.shortIPv4(addressText) {
            address = short.address
            if parts.count == 1 {
                self.network = address
                self.prefixLength = short.octets * 8
                return
            }
        } else {
            throw CIDRError(text: s, reason: "not an IP address")
        }
        let maximum = address.isIPv4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...maximum).contains(n), parts[1].allSatisfy(\.isNumber) else {
                throw CIDRError(text: s, reason: "prefix length must be 0–\(maximum)")
            }
            length = n
        }
        let masked = Self.mask(address.bytes, bits: length + (address.isIPv4 ? 96 : 0))
        guard masked == address.bytes else {
            throw CIDRError(text: s, reason: "host bits set below /\(length)")
        }
        self.network = address
        self.prefixLength = length
    }

    /// The prefix over the 128-bit form.
    var bits128: Int { prefixLength + (network.isIPv4 ? 96 : 0) }

    /// Whether `address` lies inside this network.
    public func contains(_ address: IPAddress) -> Bool {
        guard address.isIPv4 == network.isIPv4 else { return false }
        return Self.mask(address.bytes, bits: bits128) == network.bytes
    }

    public var description: String { "\(network)/\(prefixLength)" }

    private static func mask(_ bytes: [UInt8], bits: Int) -> [UInt8] {
        var out = bytes
        for i in 0..<16 {
            let keep = max(0, min(8, bits - i * 8))
            out[i] &= keep == 8 ? 0xFF : UInt8(truncatingIfNeeded: 0xFF00 >> keep)
        }
        return out
    }

    /// `10`, `10.`, `10.1`, `10.1.2.` → the address with zeros filled in and how many octets were given.
    private static func shortIPv4(_ s: String) -> (address: IPAddress, octets: Int)? {
        var t = Substring(s)
        if t.hasSuffix(".") { t = t.dropLast() }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var value: UInt32 = 0
        for i in 0..<4 {
            var octet: UInt32 = 0
            if i < parts.count {
                guard let n = UInt32(parts[i]), n <= 255, parts[i].allSatisfy(\.isNumber) else { return nil }
                octet = n
            }
            value = value << 8 | octet
        }
        return (IPAddress(v4: value), parts.count)
    }
}

/// A network specification that could not be read.
public struct CIDRError: Error, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "bad network \"\(text)\": \(reason)" }
}

/// An ordered list of networks, each possibly negated (`!192.0.2.5`), answering the most
/// specific match: SpamAssassin's NetSet semantics (Patricia trie, longest prefix wins; a
/// negated entry excludes), which for the usual "exclusion before its supernet" lists is
/// also Postfix's first match.
public struct NetworkSet: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let cidr: CIDR
        public let excluded: Bool
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    /// Parses each `[!]network`; throws on the first bad one.
    public init(_ specs: [String], includeLoopback: Bool = false) throws(CIDRError) {
        for spec in specs { try add(spec) }
        if includeLoopback { addLoopback() }
    }

    /// As `init(_:includeLoopback:)`, skipping entries that are not networks (for callers
    /// whose lint has reported them already).
    public init(validEntriesOf specs: [String], includeLoopback: Bool = false) {
        for spec in specs { try? add(spec) }
        if includeLoopback { addLoopback() }
    }

    /// SpamAssassin's new_netset(..., 1): 127/8 and ::1 are always in.
    private mutating func addLoopback() {
        try? add("127.0.0.0/8")
        try? add("::1")
    }

    public mutating func add(_ spec: String) throws(CIDRError) {
        let excluded = spec.hasPrefix("!")
        let cidr = try CIDR(excluded ? String(spec.dropFirst()) : spec)
        // An earlier entry for the same network wins, as SpamAssassin ignores duplicates.
        guard !entries.contains(where: { $0.cidr == cidr }) else { return }
        entries.append(Entry(cidr: cidr, excluded: excluded))
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Whether the most specific entry containing `address` is a positive one.
    public func contains(_ address: IPAddress) -> Bool {
        var best: Entry?
        for entry in entries where entry.cidr.contains(address) {
            if best == nil || entry.cidr.bits128 > best!.cidr.bits128 { best = entry }
        }
        guard let best else { return false }
        return !best.excluded
    }

    /// As `contains(_:)` for an address in text; false when it is not an address.
    public func contains(_ text: String) -> Bool {
        guard let address = IPAddress(text) else { return false }
        return contains(address)
    }
}
