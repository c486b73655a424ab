import MIME

/// The outcome of a spam check: the total score and the rules that hit, in
/// SpamAssassin's terms. Decisions (tag, tag2, kill) are the Filter's, not ours.
public struct SpamVerdict: Sendable, Equatable {
    public struct Hit: Sendable, Equatable {
        public var name: String
        public var score: Double
        public var description: String

        public init(name: String, score: Double, description: String = "") {
            self.name = name
            self.score = score
            self.description = description
        }
    }

    public var score: Double
    /// Hits sorted by name, as SpamAssassin lists them in `tests=[…]`.
    public var hits: [Hit]
    /// What Bayes autolearning made of this message, as SpamAssassin's `autolearn=` in
    /// X-Spam-Status: `ham`, `spam`, `no`, `disabled` or `unavailable`; nil when the
    /// checker has no learner at all.
    public var autolearn: String? = nil

    public init(hits: [Hit]) {
        self.hits = hits.sorted { $0.name < $1.name }
        self.score = hits.reduce(0) { $0 + $1.score }
    }

    public static let empty = SpamVerdict(hits: [])
}

/// Anything that scores a message. The Filter and `moat scan` depend on this only, so the
/// rule engine of the next stage replaces the GTUBE-only checker without touching them.
public protocol SpamChecker: Sendable {
    /// Scores a parsed message (the Filter parses once for every check).
    /// - Parameter envelopeSender: SMTP `MAIL FROM` when known (`""` for the null sender).
    func check(_ message: MIMEMessage, envelopeSender: String?) async throws -> SpamVerdict

    /// Scores a message for its final recipients `users` (`[bayes] per_user` picks the
    /// Bayes database by them); checkers without per-user state ignore them.
    func check(_ message: MIMEMessage, envelopeSender: String?, users: [String]) async throws -> SpamVerdict
}

extension SpamChecker {
    public func check(_ message: MIMEMessage, envelopeSender: String?, users: [String]) async throws -> SpamVerdict {
        try await check(message, envelopeSender: envelopeSender)
    }

    /// Scores a parsed message whose envelope is unknown (offline scans).
    public func check(_ message: MIMEMessage) async throws -> SpamVerdict {
        try await check(message, envelopeSender: nil)
    }

    /// Scores raw message bytes.
    public func check(_ bytes: [UInt8]) async throws -> SpamVerdict {
        try await check(MIMEMessage.parse(bytes))
    }
}
