// Queued mail out: what the durable queue calls to deliver a message, as Postfix's
// virtual(8) and smtp(8) do behind qmgr.
//
//     recipients ─ RecipientRouter (directory: aliases, catch-all, +ext) ─┬─ MailboxDelivery (Maildir, quota, Junk)
//                                                                         ├─ RemoteDelivery per NextHop (MX/relayhost, STARTTLS)
//                                                                         └─ failures (unknown user, alias loops)
//
// BUGS: one outcome per envelope recipient is all the queue keeps, so an alias that fans
// out to several destinations is reported by its worst one, and retried as a whole
// (DeliveredDestinations keeps already-stored copies from being stored again).

import DNS
import Directory
import Logging
import Mailstore
import MoatCore
import Queue
import SMTP

/// Delivers queued messages: into the Maildirs of the virtual domains' mailboxes, or by
/// SMTP to the recipient domain's MX hosts or the relayhost.
///
/// For each recipient, in one call:
/// 1. the directory resolves it (aliases, catch-all, `+ext`, loop limits);
/// 2. every distinct mailbox gets one copy, even when several recipients or aliases lead
///    to it (into `[delivery] junk_folder` when the filter flagged the message as junk);
/// 3. remote addresses are grouped by next hop, one SMTP transaction per group (up to
///    50 recipients), several hops in parallel;
/// 4. the recipient's outcome is that of its destinations, the worst one winning
///    (temporary over permanent over delivered), with Postfix's status codes and texts.
///
/// Disk and SQLite work runs on a pool of its own threads, never on an event loop.
public struct MailDeliverer: QueueDeliverer {
    /// Knobs without a `[delivery]` key; the defaults are Postfix's.
    public struct Limits: Sendable {
        /// Server addresses tried per next hop (`smtp_mx_address_limit`).
        public var addressLimit = 5
        /// Recipients per SMTP transaction (`smtp_destination_recipient_limit`).
        public var recipientLimit = 50
        /// Time allowed for each server reply (`smtp_*_timeout`), within the session's
        /// `transaction_timeout`.
        public var commandTimeout: Duration = .seconds(300)
        /// Look up AAAA records of MX hosts and connect over IPv6 too (IPv4 is tried first).
        public var useIPv6 = true
        /// Next hops (domains) one message is sent to at the same time.
        public var parallelHops = 10
        /// Messages whose partly finished fan-out is remembered (see `DeliveredDestinations`).
        public var rememberedMessages = 10_000
        /// Threads for directory reads and Maildir writes.
        public var diskThreads = 8

        public init() {}
    }

    private let router: RecipientRouter
    private let mailboxes: MailboxDelivery
    private let remote: RemoteDelivery
    private let memory: DeliveredDestinations
    private let parallelHops: Int
    private let blocking: BlockingWork
    private let logger: Logger

    /// The deliverer `moat serve` hands to the queue scheduler.
    ///
    /// - Parameters:
    ///   - delivery: `[delivery]`: relayhost, smtp_port, timeouts, TLS level, recipient
    ///     delimiter, junk folder.
    ///   - storage: `[storage]`: Maildirs live under `mailRoot`.
    ///   - directory: the domains, mailboxes and aliases (`StorageSettings.directoryDatabase`).
    ///   - resolver: DNS for MX and address lookups (share the server's `UnboundResolver`).
    ///   - logger: one line per delivered or failed destination, Postfix-shaped.
    ///   - identity: this host's name (HELO) and the names and addresses that are "us" to
    ///     loop detection and backup-MX routing; pass the MX listener's addresses.
    ///   - limits: the Postfix defaults unless a test needs others.
    ///   - maildirPermissions: `[delivery] maildir_owner`/`group`/`mode` resolved to ids
    ///     (nil: this process's account, 0700).
    /// - Throws: `DeliverySetupError` for a relayhost or junk folder that cannot be used,
    ///   or a TLS context that cannot be made.
    public init(delivery: DeliverySettings, storage: StorageSettings, directory: DirectoryStore,
                resolver: any Resolver, logger: Logger, identity: LocalIdentity = LocalIdentity(),
                limits: Limits = Limits(), maildirPermissions: FilePermissions? = nil) throws(DeliverySetupError) {
        var relayhost: RelayhostText?
        if !delivery.relayhost.isEmpty {
            guard let parsed = RelayhostText(delivery.relayhost, defaultPort: delivery.smtpPort) else {
                throw .invalidRelayhost(delivery.relayhost)
            }
            relayhost = parsed
        }
        let junkFolder: MaildirFolder
        do {
            junkFolder = try MaildirFolder(delivery.junkFolder)
        } catch {
            throw .invalidJunkFolder(delivery.junkFolder)
        }
        var tls: SMTPClientTLS?
        if delivery.tlsSecurityLevel == .may {
            do {
                tls = try SMTPClientTLS.opportunistic()
            } catch {
                throw .tls("\(error)")
            }
        }
        let recipients = RecipientResolver(store: directory, mailRoot: storage.mailRoot,
                                           recipientDelimiter: delivery.recipientDelimiter)
        router = RecipientRouter(resolver: recipients, relayhost: relayhost, smtpPort: delivery.smtpPort)
        mailboxes = MailboxDelivery(writer: MaildirWriter(permissions: maildirPermissions), mailRoot: storage.mailRoot, junkFolder: junkFolder,
                                    logger: logger)
        remote = RemoteDelivery(
            lookup: MailHostLookup(dns: resolver, identity: identity, useIPv6: limits.useIPv6,
                                   addressLimit: max(1, limits.addressLimit)),
            settings: .init(heloName: identity.hostname, connectTimeout: delivery.connectTimeout,
                            commandTimeout: limits.commandTimeout, transactionTimeout: delivery.transactionTimeout,
                            tls: tls, recipientLimit: limits.recipientLimit),
            logger: logger)
        memory = DeliveredDestinations(capacity: limits.rememberedMessages)
        parallelHops = max(1, limits.parallelHops)
        blocking = BlockingWork(threads: max(1, limits.diskThreads))
        self.logger = logger
    }

    public func deliver(_ message: QueuedMessage, to recipients: [EmailAddress]) async -> [DeliveryOutcome] {
        let router = router
        let routes = await blocking.run { router.route(recipients) }
        let earlier = memory.delivered(for: message.id)
        let work = PendingWork(routes, skipping: earlier)

        let mailboxes = mailboxes
        async let stored = work.copies.isEmpty
            ? [] : blocking.run { mailboxes.deliver(message, to: work.copies) }
        // Scanned once for all hops.
        let eightBit = !work.remote.isEmpty && message.bytes.contains { $0 >= 0x80 }
        let sent = await withTaskGroup(of: [(DestinationKey, DeliveryOutcome)].self) { group in
            // At most `parallelHops` sessions at once, the next hop starting as one ends.
            var hops = work.remote.makeIterator()
            func startNext() {
                guard let (hop, addresses) = hops.next() else { return }
                group.addTask {
                    let outcomes = await remote.deliver(message, eightBit: eightBit, to: addresses, via: hop)
                    return zip(addresses, outcomes).map { (Destination.remote($0, via: hop).key, $1) }
                }
            }
            for _ in 0..<parallelHops { startNext() }
            var sent: [(DestinationKey, DeliveryOutcome)] = []
            while let outcomes = await group.next() {
                sent += outcomes
                startNext()
            }
            return sent
        }
        var results = work.failures
        for (key, outcome) in sent { results[key] = outcome }
        for (copy, outcome) in zip(work.copies, await stored) {
            results[Destination.mailbox(copy.mailbox, recipient: copy.recipient).key] = outcome
        }

        var delivered = earlier
        let outcomes = zip(recipients, routes).map { recipient, destinations in
            Self.combine(destinations, for: recipient) { destination in
                if earlier.contains(destination.key) { return .delivered }
                let outcome = results[destination.key]
                    ?? .temporaryFailure(status: EnhancedStatus.localError, text: "no delivery result")
                if outcome == .delivered { delivered.insert(destination.key) }
                return outcome
            }
        }
        let pending = outcomes.contains { if case .temporaryFailure = $0 { true } else { false } }
        memory.record(pending ? delivered : [], for: message.id)
        return outcomes
    }

    /// One recipient's outcome from its destinations': the worst wins, temporary before
    /// permanent (the recipient is retried; a permanent part fails again then).
    /// A failure of an alias target names the target.
    static func combine(_ destinations: [Destination], for recipient: EmailAddress,
                        outcome: (Destination) -> DeliveryOutcome) -> DeliveryOutcome {
        guard !destinations.isEmpty else {
            return .temporaryFailure(status: EnhancedStatus.localError, text: "recipient has no destination")
        }
        var worst = DeliveryOutcome.delivered
        for destination in destinations {
            var next = outcome(destination)
            if case .failed = destination {} else if destination.address.lowercased() != recipient.description.lowercased() {
                next = Self.naming(destination.address, in: next)
            }
            switch (worst, next) {
            case (.temporaryFailure, _), (_, .delivered), (.permanentFailure, .permanentFailure): continue
            default: worst = next
            }
        }
        return worst
    }

    private static func naming(_ address: String, in outcome: DeliveryOutcome) -> DeliveryOutcome {
        switch outcome {
        case .delivered: .delivered
        case .temporaryFailure(let status, let text): .temporaryFailure(status: status, text: "<\(address)>: \(text)")
        case .permanentFailure(let status, let text): .permanentFailure(status: status, text: "<\(address)>: \(text)")
        }
    }
}

/// What one `deliver` call has to do after routing: each mailbox and remote address
/// once, minus what earlier attempts delivered; resolution failures are already final.
private struct PendingWork: Sendable {
    var copies: [MailboxDelivery.Copy] = []
    /// Remote addresses by next hop, in first-seen order within each hop.
    var remote: [NextHop: [EmailAddress]] = [:]
    var failures: [DestinationKey: DeliveryOutcome] = [:]

    init(_ routes: [[Destination]], skipping done: Set<DestinationKey>) {
        var seen = done
        for destination in routes.joined() where seen.insert(destination.key).inserted {
            switch destination {
            case .mailbox(let mailbox, let recipient):
                copies.append(.init(mailbox: mailbox, recipient: recipient))
            case .remote(let address, let hop):
                remote[hop, default: []].append(address)
            case .failed(_, let failure):
                failures[destination.key] = failure.outcome
            }
        }
    }
}

/// A `[delivery]` setting `MailDeliverer` cannot work with.
public enum DeliverySetupError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidRelayhost(String)
    case invalidJunkFolder(String)
    /// The TLS context for `tls_security_level = "may"` could not be made.
    case tls(String)

    public var description: String {
        switch self {
        case .invalidRelayhost(let text): "[delivery] relayhost \(String(reflecting: text)) is not host, host:port or [host]:port"
        case .invalidJunkFolder(let name): "[delivery] junk_folder \(String(reflecting: name)) cannot be a Maildir++ folder"
        case .tls(let reason): "cannot set up outbound TLS: \(reason)"
        }
    }
}
