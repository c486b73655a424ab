/// The restriction names Moat understands, spelled as in Postfix's postconf(5).
public enum RestrictionName: String, Sendable, Hashable, CaseIterable {
    case permit
    case reject
    case permitMynetworks = "permit_mynetworks"
    case permitSASLAuthenticated = "permit_sasl_authenticated"
    case permitAuthDestination = "permit_auth_destination"
    case rejectRBLClient = "reject_rbl_client"
    case rejectRHSBLSender = "reject_rhsbl_sender"
    case rejectUnknownClientHostname = "reject_unknown_client_hostname"
    case rejectUnknownReverseClientHostname = "reject_unknown_reverse_client_hostname"
    case rejectInvalidHeloHostname = "reject_invalid_helo_hostname"
    case rejectNonFQDNHeloHostname = "reject_non_fqdn_helo_hostname"
    case rejectUnknownHeloHostname = "reject_unknown_helo_hostname"
    case rejectNonFQDNSender = "reject_non_fqdn_sender"
    case rejectUnknownSenderDomain = "reject_unknown_sender_domain"
    case rejectNonFQDNRecipient = "reject_non_fqdn_recipient"
    case rejectUnauthDestination = "reject_unauth_destination"
    case rejectUnlistedRecipient = "reject_unlisted_recipient"
    case rejectUnauthPipelining = "reject_unauth_pipelining"
    case checkClientAccess = "check_client_access"
    case checkSenderAccess = "check_sender_access"

    /// Whether the name takes one argument (a DNS list zone or a table path).
    var takesArgument: Bool {
        switch self {
        case .rejectRBLClient, .rejectRHSBLSender, .checkClientAccess, .checkSenderAccess: true
        default: false
        }
    }

    /// Postfix's older spellings, still accepted by Postfix 3.7 (postconf(5)).
    static let aliases: [String: RestrictionName] = [
        "reject_unknown_client": .rejectUnknownClientHostname,
        "reject_invalid_hostname": .rejectInvalidHeloHostname,
        "reject_non_fqdn_hostname": .rejectNonFQDNHeloHostname,
        "reject_unknown_hostname": .rejectUnknownHeloHostname,
    ]

    /// Case-insensitive lookup, as Postfix compares restriction names.
    init?(configName: String) {
        let lower = configName.lowercased()
        if let name = RestrictionName(rawValue: lower) { self = name; return }
        guard let alias = Self.aliases[lower] else { return nil }
        self = alias
    }
}

/// One parsed restriction, arguments resolved (tables loaded, filters parsed).
public enum Restriction: Sendable, Equatable {
    case permit
    case reject
    case permitMynetworks
    case permitSASLAuthenticated
    case permitAuthDestination
    case rejectRBLClient(DNSListQuery)
    case rejectRHSBLSender(DNSListQuery)
    case rejectUnknownClientHostname
    case rejectUnknownReverseClientHostname
    case rejectInvalidHeloHostname
    case rejectNonFQDNHeloHostname
    case rejectUnknownHeloHostname
    case rejectNonFQDNSender
    case rejectUnknownSenderDomain
    case rejectNonFQDNRecipient
    case rejectUnauthDestination
    case rejectUnlistedRecipient
    case rejectUnauthPipelining
    case checkClientAccess(AccessTable)
    case checkSenderAccess(AccessTable)
}
