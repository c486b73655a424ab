import Directory
import Filter
import Foundation
import IMAPServer
import Logging
import MoatCore
import Notices
import Quarantine

/// Moat's quarantine as each IMAP user's Quarantine folder sees it: the entries whose
/// blocked recipients resolve (aliases, extensions and catch-alls, as delivery resolves
/// them) to the user's mailbox, less what they deleted there or had released. Releases
/// go through the library release that `moat quarantine release` uses, to the user alone.
final class QuarantineMailboxSource: QuarantineSource {
    private let store: QuarantineStore
    private let resolver: RecipientResolver
    private let releaser: QuarantineReleaser
    /// The mailboxes each blocked address reaches, remembered for `reachTTL` so a folder's
    /// refresh does not resolve every address held in the quarantine every time.
    private let reach = Locked<[String: (mailboxes: Set<String>, until: Double)]>([:])
    /// `<mail ID> <user>` of the releases under way.
    private let inFlight = Locked<Set<String>>([])
    private static let reachTTL = 60.0
    private static let reachCapacity = 100_000

    init(store: QuarantineStore, resolver: RecipientResolver, releaser: QuarantineReleaser) {
        self.store = store
        self.resolver = resolver
        self.releaser = releaser
    }

    func messages(for user: Mailbox) throws -> [QuarantinedMessage] {
        let now = Date().timeIntervalSince1970
        var mine = Set<String>()
        for address in try store.blockedRecipients() where try mailboxes(reachedBy: address, now: now).contains(user.address) {
            mine.insert(address)
        }
        return try store.entries(addressedTo: mine, shownTo: user.address).map { entry in
            QuarantinedMessage(mailID: entry.mailID, date: entry.time.timeIntervalSince1970,
                               releasable: entry.category != .virus, isSpam: entry.category == .spam)
        }
    }

    func presentation(of mailID: String, for user: Mailbox) throws -> [UInt8] {
        guard let entry = try store.entry(mailID) else { throw QuarantineError.notFound(mailID) }
        guard entry.category == .virus else { return try store.load(mailID).message }
        return QuarantinedVirusListing(reference: "\(entry.category.filePrefix)-\(mailID)", sender: entry.sender,
                                       recipient: user.address, subject: entry.subject, virusNames: entry.virusNames,
                                       date: entry.time).render()
    }

    func release(_ message: QuarantinedMessage, to user: Mailbox) async throws {
        let mailID = message.mailID
        // One release of a message per user at a time: two sessions (a phone and a desktop, a
        // client retrying a MOVE) must not both pass the check below and deliver twice.
        let claim = "\(mailID) \(user.address)"
        guard inFlight.withLock({ $0.insert(claim).inserted }) else {
            throw QuarantineRefusal("\(mailID) is being released already")
        }
        defer { inFlight.withLock { _ = $0.remove(claim) } }
        // The ID came from a file name in the user's Maildir: check again that it is theirs.
        guard let entry = try store.entry(mailID),
              try entry.recipients.contains(where: { try mailboxes(reachedBy: $0.lowercased(), now: Date().timeIntervalSince1970).contains(user.address) })
        else { throw QuarantineRefusal("\(mailID) is not in your quarantine") }
        guard entry.category != .virus else { throw QuarantineRefusal("\(mailID) holds a virus") }
        guard let address = EmailAddress(parsing: user.address) else {
            throw QuarantineRefusal("\(user.address) is not an address a release can go to")
        }
        do {
            // The releaser reads the entry again: released to this user meanwhile is refused.
            _ = try await releaser.release(QuarantineReleaser.Request(
                reference: mailID, recipients: [address], releasedBy: user.address))
        } catch let refusal as QuarantineReleaser.Refusal {
            throw QuarantineRefusal(refusal.description)
        }
    }

    func dismiss(_ mailIDs: [String], for user: Mailbox) throws {
        try store.dismiss(mailIDs, by: user.address)
    }

    /// The mailbox addresses `address` is delivered to (none for remote or unknown ones).
    private func mailboxes(reachedBy address: String, now: Double) throws -> Set<String> {
        if let known = reach.withLock({ $0[address] }), known.until > now { return known.mailboxes }
        let found = try Self.resolvedMailboxes(address, resolver: resolver)
        reach.withLock { cache in
            if cache.count >= Self.reachCapacity { cache.removeAll() }
            cache[address] = (found, now + Self.reachTTL)
        }
        return found
    }

    private static func resolvedMailboxes(_ address: String, resolver: RecipientResolver) throws -> Set<String> {
        let destinations: [ResolvedRecipient]
        do {
            destinations = try resolver.resolve(address)
        } catch {
            // Not `local@domain` (the null address, a bare name): it reaches nobody here.
            if case .invalidAddress = error { return [] }
            throw error
        }
        var found = Set<String>()
        for destination in destinations {
            if case .mailbox(let delivery) = destination { found.insert(delivery.address) }
        }
        return found
    }
}
