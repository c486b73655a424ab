import DNS
import MoatCore

/// Turns a next hop into the server addresses to try, in order, as Postfix's smtp(8)
/// does in `smtp_addr.c`:
///
/// - MX records sorted by preference, equal preferences shuffled (RFC 5321 §5.1);
///   each exchange's A (then AAAA) addresses in the order DNS gave them. An exchange
///   that does not resolve is skipped while another does.
/// - No MX records: the domain's own addresses, as an implicit MX (RFC 5321 §5.1).
/// - A null MX (RFC 7505): permanent 5.1.10, nothing is tried.
/// - DNS that cannot answer: temporary 4.4.3. A name that does not exist: 5.4.4.
/// - Ourselves among the MX hosts (`LocalIdentity`, by name or address): every host at
///   our preference or worse is dropped, so a backup MX only hands mail to better MX
///   hosts. Nothing left: "mail for X loops back to myself" (5.4.6) when we are among
///   the best MX, "unable to find primary relay for X" (4.4.4, retried) when better MX
///   hosts exist but do not resolve, or when the domain is one we are backup MX for.
/// - `[host]:port` relayhosts are looked up directly; only on port 25 are they checked
///   for loops (Postfix's rule: a content filter on a loopback port is not a loop).
///
/// At most `addressLimit` addresses come out (Postfix `smtp_mx_address_limit`).
struct MailHostLookup: Sendable {
    let dns: any Resolver
    let identity: LocalIdentity
    /// Look up AAAA records too, and so connect over IPv6.
    let useIPv6: Bool
    let addressLimit: Int

    func hosts(for hop: NextHop) async throws(DeliveryFailure) -> [MailHost] {
        switch hop {
        case .host(let name, let port):
            let addresses = try await addresses(of: name).get()
            if port == 25, addresses.contains(where: identity.isSelf) {
                throw DeliveryFailure(EnhancedStatus.mailLoop, "mail for \(hop) loops back to myself")
            }
            return addresses.prefix(addressLimit).map { MailHost(name: name, address: $0, port: port, preference: 0) }
        case .mx(let domain, let port, let backupMX):
            return try await mxHosts(domain, port: port, backupMX: backupMX)
        }
    }

    // MARK: MX

    private func mxHosts(_ domain: String, port: Int, backupMX: Bool) async throws(DeliveryFailure) -> [MailHost] {
        let records: [MXRecord]
        do {
            records = try await dns.lookupMX(domain)
        } catch {
            throw AddressAnswer.failure(name: domain, type: "MX", temporary: true)
        }
        if MXRecord.isNullMX(records) {
            throw DeliveryFailure(EnhancedStatus.nullMX, "Domain \(domain) does not accept mail (nullMX)")
        }
        let exchanges = Self.ordered(records.filter { !$0.exchange.isEmpty })
        guard !exchanges.isEmpty else { return try await implicitMX(domain, port: port) }

        let answers = await lookUpAll(exchanges.map(\.exchange))
        var candidates: [MailHost] = []
        var selfPreference: Int?
        var failures: [DeliveryFailure] = []
        for (record, answer) in zip(exchanges, answers) {
            let preference = Int(record.preference)
            if identity.isSelf(name: record.exchange) {
                selfPreference = min(selfPreference ?? preference, preference)
                continue
            }
            do throws(DeliveryFailure) {
                for address in try answer.get() {
                    if identity.isSelf(address) {
                        selfPreference = min(selfPreference ?? preference, preference)
                    } else {
                        candidates.append(MailHost(name: record.exchange, address: address, port: port,
                                                   preference: preference))
                    }
                }
            } catch {
                failures.append(error)
            }
        }
        guard let selfPreference else {
            guard !candidates.isEmpty else {
                // Postfix keeps the last lookup error; a temporary one wins so mail waits.
                throw failures.first(where: \.isTemporary) ?? failures.last
                    ?? DeliveryFailure(EnhancedStatus.hostNotFound, "no MX host for \(domain) has a valid address record")
            }
            return Array(candidates.prefix(addressLimit))
        }
        let better = candidates.filter { $0.preference < selfPreference }
        guard better.isEmpty else { return Array(better.prefix(addressLimit)) }
        // Nothing preferred over us. A loop if we are among the best MX hosts; otherwise
        // the better ones exist but cannot be resolved now, or we are only the backup.
        let bestListed = Int(exchanges[0].preference)
        if backupMX || selfPreference != bestListed {
            throw DeliveryFailure(EnhancedStatus.unableToRoute, "unable to find primary relay for \(domain)")
        }
        throw DeliveryFailure(EnhancedStatus.mailLoop, "mail for \(domain) loops back to myself")
    }

    /// RFC 5321 §5.1: no MX records, so the domain itself is the one mail exchanger.
    private func implicitMX(_ domain: String, port: Int) async throws(DeliveryFailure) -> [MailHost] {
        let addresses = try await addresses(of: domain).get()
        if identity.isSelf(name: domain) || addresses.contains(where: identity.isSelf) {
            throw DeliveryFailure(EnhancedStatus.mailLoop, "mail for \(domain) loops back to myself")
        }
        return addresses.prefix(addressLimit).map { MailHost(name: domain, address: $0, port: port, preference: 0) }
    }

    /// By preference, lowest first; equal preferences in random order (RFC 5321 §5.1:
    /// spread the load over equal hosts).
    static func ordered(_ records: [MXRecord]) -> [MXRecord] {
        Dictionary(grouping: records, by: \.preference)
            .sorted { $0.key < $1.key }
            .flatMap { $0.value.shuffled() }
    }

    // MARK: Addresses

    /// The answers for all `names`, looked up concurrently, in the order of `names`.
    private func lookUpAll(_ names: [String]) async -> [AddressAnswer] {
        await withTaskGroup(of: (Int, AddressAnswer).self) { group in
            for (index, name) in names.enumerated() {
                group.addTask { (index, await addresses(of: name)) }
            }
            var answers = [AddressAnswer](repeating: .notFound(name: "", type: "A"), count: names.count)
            for await (index, answer) in group { answers[index] = answer }
            return answers
        }
    }

    /// The A (and AAAA) addresses of `name`; an address literal stands for itself.
    private func addresses(of name: String) async -> AddressAnswer {
        if let literal = IPAddress(name) { return .found([literal]) }
        async let v4 = lookUp(name, type: .a)
        async let v6 = useIPv6 ? lookUp(name, type: .aaaa) : .success([])
        let answers = [await v4, await v6]
        // Whatever resolved is used, as Postfix does when one family fails.
        let found = answers.flatMap { (try? $0.get()) ?? [] }
        if !found.isEmpty { return .found(found) }
        for case .failure(let failure) in answers { return failure }
        return .notFound(name: name, type: "A")
    }

    private func lookUp(_ name: String, type: DNSRecordType) async -> Result<[IPAddress], AddressAnswer> {
        do {
            return .success(try await dns.lookup(name, type: type).compactMap { IPAddress($0) })
        } catch {
            return .failure(.failed(name: name, type: type.rawValue))
        }
    }
}

/// What the address lookups of one name gave.
enum AddressAnswer: Error, Sendable {
    case found([IPAddress])
    /// The name, or its addresses, do not exist.
    case notFound(name: String, type: String)
    /// DNS could not answer (timeout, SERVFAIL).
    case failed(name: String, type: String)

    /// The addresses, or the failure in Postfix's words.
    func get() throws(DeliveryFailure) -> [IPAddress] {
        switch self {
        case .found(let addresses): return addresses
        case .notFound(let name, let type): throw Self.failure(name: name, type: type, temporary: false)
        case .failed(let name, let type): throw Self.failure(name: name, type: type, temporary: true)
        }
    }

    /// `Host or domain name not found. Name service error for name=x type=MX: Host not
    /// found, try again` (4.4.3), or without ", try again" (5.4.4) when it does not exist.
    static func failure(name: String, type: String, temporary: Bool) -> DeliveryFailure {
        DeliveryFailure(temporary ? EnhancedStatus.dnsFailure : EnhancedStatus.hostNotFound,
                        "Host or domain name not found. Name service error for name=\(name) type=\(type): "
                            + (temporary ? "Host not found, try again" : "Host not found"))
    }
}
