import Directory
import MoatCore

/// Expands each envelope recipient into its destinations with the directory's
/// `RecipientResolver` (aliases, catch-all, `+ext`, loop limits) and picks the next hop
/// of the remote ones. Blocking (SQLite reads): call it from `BlockingWork`.
struct RecipientRouter: Sendable {
    let resolver: RecipientResolver
    let relayhost: RelayhostText?
    /// `[delivery] smtp_port`: the port of MX hosts.
    let smtpPort: Int

    var store: DirectoryStore { resolver.store }

    /// The destinations of each recipient, in order.
    func route(_ recipients: [EmailAddress]) -> [[Destination]] {
        recipients.map(route)
    }

    private func route(_ recipient: EmailAddress) -> [Destination] {
        let resolved: (destinations: [ResolvedRecipient], backupMXDomains: Set<String>)
        do {
            resolved = try resolver.resolveForDelivery(recipient.description)
        } catch .invalidAddress(_, let reason) {
            // A quoted or otherwise unusual local part the directory cannot hold: fine
            // for someone else's domain, and never a mailbox of ours.
            if isForeign(recipient.domain) {
                return [remote(recipient, backupMX: false)]
            }
            return [.failed(address: recipient.description,
                            DeliveryFailure(EnhancedStatus.badAddressSyntax, "bad address syntax: \(reason)"))]
        } catch {
            return [.failed(address: recipient.description, lookupFailure(error))]
        }
        return resolved.destinations.map { result in
            switch result {
            case .mailbox(let mailbox):
                return .mailbox(mailbox, recipient: deliveredTo(mailbox))
            case .remote(let address):
                // The resolver lowercases; keep the sender's spelling of a remote local
                // part when it is the same address (local parts may be case-sensitive).
                let target = address == recipient.description.lowercased() ? recipient : EmailAddress(parsing: address)
                guard let target else {
                    return .failed(address: address, DeliveryFailure(EnhancedStatus.badAddressSyntax, "bad address syntax"))
                }
                return remote(target, backupMX: resolved.backupMXDomains.contains(target.domain.lowercased()))
            case .rejected(let rejection):
                return .failed(address: rejection.address, Self.failure(rejection))
            }
        }
    }

    /// Neither a local nor a backup-MX domain here; false when the directory cannot say.
    private func isForeign(_ domain: String) -> Bool {
        do {
            return try store.activeDomain(domain) == nil
        } catch {
            return false
        }
    }

    private func remote(_ address: EmailAddress, backupMX: Bool) -> Destination {
        .remote(address, via: .forDomain(address.domain, relayhost: relayhost, smtpPort: smtpPort, backupMX: backupMX))
    }

    /// `alice+news@example.com` for a delivery through an extension, as Postfix's
    /// virtual(8) writes the recipient (extension kept) into `Delivered-To`.
    private func deliveredTo(_ mailbox: LocalDelivery) -> EmailAddress {
        let at = mailbox.address.lastIndex(of: "@") ?? mailbox.address.endIndex
        let local = String(mailbox.address[..<at])
        let domain = at < mailbox.address.endIndex ? String(mailbox.address[mailbox.address.index(after: at)...]) : ""
        var full = local
        if let ext = mailbox.extensionPart, let delimiter = resolver.recipientDelimiter.first {
            full += "\(delimiter)\(ext)"
        }
        return EmailAddress(parsing: "\(full)@\(domain)") ?? EmailAddress(uncheckedLocalPart: full, domain: domain)
    }

    /// A directory that cannot answer defers, as Postfix's "table lookup problem".
    private func lookupFailure(_ error: DirectoryError) -> DeliveryFailure {
        DeliveryFailure(EnhancedStatus.localError, "recipient lookup failed: \(error)")
    }

    /// virtual(8)'s words for an unknown user; the resolver's 4.6.0 for alias trouble.
    static func failure(_ rejection: RecipientRejection) -> DeliveryFailure {
        switch rejection.reason {
        case .unknownUser:
            DeliveryFailure(rejection.enhancedStatus, "unknown user: \"\(rejection.address)\"")
        case .aliasExpansion:
            DeliveryFailure(rejection.enhancedStatus, "alias expansion error for <\(rejection.address)>")
        }
    }
}
