/// The configurable reply codes, with Postfix 3.7's defaults (postconf(5)). Note that
/// Postfix ships the "unknown" codes as 450, not 550, so that a DNS outage at the client's
/// or sender's side costs a retry, not a bounce; sites that want hard rejects set them to 550
/// (the enhanced code's class follows, 450 4.1.8 ↔ 550 5.1.8).
public struct RejectCodes: Sendable, Hashable {
    /// relay_domains_reject_code: reject_unauth_destination.
    public var relay = 554
    /// unknown_client_reject_code: reject_unknown_(reverse_)client_hostname.
    public var unknownClient = 450
    /// unknown_hostname_reject_code: reject_unknown_helo_hostname.
    public var unknownHostname = 450
    /// unknown_address_reject_code: reject_unknown_sender_domain.
    public var unknownAddress = 450
    /// invalid_hostname_reject_code: reject_invalid_helo_hostname.
    public var invalidHostname = 501
    /// non_fqdn_reject_code: reject_non_fqdn_{helo_hostname,sender,recipient}.
    public var nonFQDN = 504
    /// maps_rbl_reject_code: reject_rbl_client, reject_rhsbl_sender.
    public var rbl = 554
    /// access_map_reject_code: REJECT in an access table.
    public var accessMapReject = 554
    /// access_map_defer_code: DEFER in an access table.
    public var accessMapDefer = 450
    /// reject_code: the `reject` restriction.
    public var reject = 554
    /// unknown_virtual_mailbox_reject_code: reject_unlisted_recipient in a local domain.
    public var unknownVirtualMailbox = 550
    /// unknown_relay_recipient_reject_code: reject_unlisted_recipient in a relay domain.
    public var unknownRelayRecipient = 550

    public init() {}
}
