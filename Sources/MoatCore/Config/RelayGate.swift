/// Whether the relay and recipient restriction lists, as configured, refuse a foreign
/// recipient from a client that no restriction singles out. Lists run as Postfix runs them:
/// the relay list first, then the recipient list; `permit` ends only its own list, so mail
/// is relayed for everyone when neither list reaches a refusal for a stranger (Postfix's
/// smtpd_check_init "fail_required" test, made stricter: Postfix only asks that a refusal
/// appear somewhere, not that it come before the first unconditional permit).
public struct RelayGate: Sendable, Equatable {
    /// What one list does with a stranger's foreign recipient.
    public enum ListVerdict: Sendable, Equatable {
        /// Entry `entry` (0-based) refuses it.
        case refuses(entry: Int)
        /// Entry `entry` (`permit`) permits every client before any refusal.
        case permitsEveryone(entry: Int)
        /// No entry refuses it.
        case neverRefuses
    }

    /// The first refusal or everyone-permit in `entries`; names compare case-insensitively
    /// as Postfix's. `permit_mynetworks` is not an everyone-permit: a mynetworks that covers
    /// everyone is refused on its own (`NetworkReach`).
    public static func verdict(_ entries: [String]) -> ListVerdict {
        let words = entries.enumerated().flatMap { position, entry in
            RestrictionListText.words(of: entry).map { (position, $0.lowercased()) }
        }
        for (position, word) in words {
            if refusals.contains(word) { return .refuses(entry: position) }
            if word == "permit" { return .permitsEveryone(entry: position) }
        }
        return .neverRefuses
    }

    /// Restrictions that refuse a foreign recipient from any client they reach
    /// (restriction arguments are never restriction names, so they cannot match).
    static let refusals: Set<String> = ["reject_unauth_destination", "reject"]

    /// The relay list's verdict and the recipient list's.
    public let relay: ListVerdict
    public let recipient: ListVerdict

    public init(relay: [String], recipient: [String]) {
        self.relay = Self.verdict(relay)
        self.recipient = Self.verdict(recipient)
    }

    /// The list key to blame and why, when a stranger's mail would be relayed; nil when one
    /// of the lists refuses it.
    public var openRelay: (key: String, problem: String)? {
        if case .refuses = relay { return nil }
        if case .refuses = recipient { return nil }
        let tail = "that is an open relay"
        switch (relay, recipient) {
        case (.permitsEveryone(let entry), _):
            return ("relay", "entry \(entry + 1) 'permit' permits every client before any reject_unauth_destination "
                    + "(or reject), and the recipient list does not refuse either: \(tail)")
        case (_, .permitsEveryone(let entry)):
            return ("recipient", "entry \(entry + 1) 'permit' permits every client before any "
                    + "reject_unauth_destination (or reject), and the relay list does not refuse either: \(tail)")
        default:
            return ("relay", "neither relay nor recipient contains reject_unauth_destination (or reject): \(tail)")
        }
    }
}
