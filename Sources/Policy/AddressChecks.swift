import DNS
import MoatCore

/// Restrictions on MAIL FROM and RCPT TO addresses.
enum AddressChecks {
    typealias Verdict = RestrictionEvaluator.Verdict

    /// reject_non_fqdn_sender / _recipient: `504 5.5.2 <addr>: Sender address rejected:
    /// need fully-qualified address` for a domain without a dot or not a host name;
    /// the null sender and address literals pass.
    static func nonFQDN(_ address: EmailAddress, replyClass: String, _ codes: RejectCodes) -> Verdict {
        if address.isNull || HostnameSyntax.isAddressLiteral(address.domain) { return .dunno }
        let domain = HostnameSyntax.withoutTrailingDot(address.domain)
        if domain.contains("."), HostnameSyntax.isValidHostname(domain) || !domain.allSatisfy(\.isASCII) { return .dunno }
        return .reject(.rejected(codes.nonFQDN, "5.5.2", name: address.description, replyClass: replyClass,
                                 "need fully-qualified address"))
    }

    /// reject_unknown_sender_domain: no MX, A or AAAA → `450 4.1.8 <s>: Sender address
    /// rejected: Domain not found` (unknown_address_reject_code, 450 by default; 550 gives
    /// 550 5.1.8); a DNS failure defers if nothing rejects later; a null MX is
    /// `550 5.7.27 … Domain d does not accept mail (nullMX)`. Our own domains, the null
    /// sender and address literals are not looked up.
    static func unknownSenderDomain(
        _ sender: EmailAddress, _ resolver: any Resolver, _ directory: any RecipientDirectory, _ codes: RejectCodes
    ) async -> Verdict {
        if sender.isNull || HostnameSyntax.isAddressLiteral(sender.domain) { return .dunno }
        let domain = AddressRouting.normalisedDomain(sender.domain)
        if (try? await directory.isLocalDomain(domain)) == true { return .dunno }
        let name = sender.description
        let replyClass = PolicyStage.sender.replyClass
        switch await HostLookup.mailDomain(domain, resolver) {
        case .found: return .dunno
        case .nullMX:
            return .reject(.rejected(550, "5.7.27", name: name, replyClass: replyClass,
                                     "Domain \(domain) does not accept mail (nullMX)"))
        case .notFound:
            return .reject(.rejected(codes.unknownAddress, "4.1.8", name: name, replyClass: replyClass, "Domain not found"))
        case .temporaryFailure:
            return .deferIfPermit(.rejected(450, "4.1.8", name: name, replyClass: replyClass, "Domain not found"))
        }
    }

    /// reject_rhsbl_sender: the sender's domain under the zone, as reject_rbl_client.
    static func rhsblSender(_ list: DNSListQuery, _ sender: EmailAddress, _ resolver: any Resolver, _ codes: RejectCodes) async -> Verdict {
        if sender.isNull || HostnameSyntax.isAddressLiteral(sender.domain) { return .dunno }
        let domain = AddressRouting.normalisedDomain(HostnameSyntax.withoutTrailingDot(sender.domain))
        let name = "\(domain).\(list.zone)"
        guard let answers = try? await resolver.lookupA(name), answers.contains(where: list.matches) else { return .dunno }
        let reason = (try? await resolver.lookupTXT(name))?.first
        return .reject(.blocked(codes.rbl, replyClass: "Sender address", what: domain, zone: list.zone, reason: reason))
    }

    /// reject_unlisted_recipient: in a local domain an unknown user is `550 5.1.1 <r>:
    /// Recipient address rejected: User unknown in virtual mailbox table`, in a relay
    /// domain `… in relay recipient table`; other domains are not ours to judge. Over quota
    /// is Moat's `452 4.2.2 <r>: Recipient address rejected: Mailbox full` (the issue's
    /// "over-quota answers 452 4.2.2 at RCPT when known"; Postfix has no such check); an
    /// address no mailbox can have is `553 5.1.3 … Bad recipient address syntax`. Only a
    /// failed lookup is `451 4.3.0`.
    static func unlistedRecipient(_ recipient: EmailAddress, declaredSize: Int?, _ directory: any RecipientDirectory,
                                  _ codes: RejectCodes) async -> Verdict {
        let name = recipient.description
        let replyClass = PolicyStage.recipient.replyClass
        do {
            let table: String
            let code: Int
            switch try await AddressRouting.destination(of: recipient, in: directory) {
            case .local: (table, code) = ("virtual mailbox table", codes.unknownVirtualMailbox)
            case .relay: (table, code) = ("relay recipient table", codes.unknownRelayRecipient)
            case .elsewhere: return .dunno
            }
            switch try await directory.recipientExists(recipient, size: declaredSize) {
            case .exists: return .dunno
            case .unknown: return .reject(.rejected(code, "5.1.1", name: name, replyClass: replyClass, "User unknown in \(table)"))
            case .overQuota: return .deferNow(.rejected(452, "4.2.2", name: name, replyClass: replyClass, "Mailbox full"))
            case .unusable:
                return .reject(.rejected(553, "5.1.3", name: name, replyClass: replyClass, "Bad recipient address syntax"))
            }
        } catch {
            return .deferNow(.temporaryLookupFailure(name: name))
        }
    }
}
