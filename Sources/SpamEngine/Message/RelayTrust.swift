import MoatCore

/// Where the trust boundary lies in a message's Received chain: SpamAssassin's
/// `trusted_networks`, `internal_networks` and `msa_networks`, or, when neither of the first
/// two is configured, its inference (private addresses and authenticated hops are trusted).
public struct RelayTrust: Sendable {
    /// Relays whose Received lines are believed; 127/8 and ::1 always are.
    public let trusted: NetworkSet
    /// Relays inside our own network (the MX boundary); 127/8 and ::1 always are.
    public let `internal`: NetworkSet
    /// Message submission agents: everything below them is trusted as well.
    public let msa: NetworkSet
    /// False: neither trusted nor internal networks are configured, so trust is inferred.
    public let isConfigured: Bool

    /// SpamAssassin's behaviour with no network configuration.
    public static let inferred = RelayTrust(trusted: [], internal: [], msa: [])

    /// Builds the sets as SpamAssassin's Received.pm does: either list stands in for the
    /// other when only one is given. Entries that are not networks are skipped (lint
    /// reports them with file:line).
    public init(trusted: [String], internal internalNetworks: [String], msa: [String]) {
        let trustedSpecs = trusted.isEmpty ? internalNetworks : trusted
        let internalSpecs = internalNetworks.isEmpty ? trusted : internalNetworks
        self.trusted = NetworkSet(validEntriesOf: trustedSpecs, includeLoopback: true)
        self.internal = NetworkSet(validEntriesOf: internalSpecs, includeLoopback: true)
        self.msa = NetworkSet(validEntriesOf: msa)
        self.isConfigured = !trusted.isEmpty || !internalNetworks.isEmpty
    }

    /// The trust of the rule files' `trusted_networks`/`internal_networks`/`msa_networks`.
    public init(_ configuration: RuleConfiguration) {
        self.init(trusted: configuration.trustedNetworks, internal: configuration.internalNetworks,
                  msa: configuration.msaNetworks)
    }

    /// Whether `ip` is inside `trusted_networks` (configured or implicit loopback).
    public func isTrusted(_ ip: String) -> Bool { trusted.contains(ip) }
}
