import Directory
import MoatCore

/// Checks logins for IMAP and POP3 against the directory, the way Dovecot's auth process
/// does for its login processes (one per server, shared by both protocols, so a guesser
/// cannot get a fresh penalty by switching protocol): the password hash is checked off the event loops, each
/// failure from an address delays that address's next answers (`AuthPenalty`), and a user's
/// sessions from one address are counted against `mail_max_userip_connections`.
public actor MailLogin {
    public struct Settings: Sendable, Equatable {
        public var penalty: AuthPenalty.Settings
        /// Sessions per user and client address, for each service (Dovecot's
        /// `mail_max_userip_connections`, 10 by default); a service not named gets 10.
        public var maxSessionsPerUserAddress: [MailAccessService: Int]

        public init(penalty: AuthPenalty.Settings = AuthPenalty.Settings(),
                    maxSessionsPerUserAddress: [MailAccessService: Int] = [:]) {
            self.penalty = penalty
            self.maxSessionsPerUserAddress = maxSessionsPerUserAddress
        }
    }

    /// What a login attempt came to.
    public enum Outcome: Sendable, Equatable {
        case success(Mailbox)
        /// Wrong user or password, inactive, or the service not allowed: the client is told no more.
        case failed
        /// The user has `maxSessionsPerUserAddress` sessions from this address already.
        case tooManySessions
        /// The directory could not be read; the client may try again later.
        case unavailable(String)
    }

    private let directory: DirectoryStore
    private let pool: BlockingWorkPool
    public let settings: Settings
    private var penalty: AuthPenalty
    private var sessions: [MailAccessService: UserConnectionLimit] = [:]

    public init(directory: DirectoryStore, pool: BlockingWorkPool, settings: Settings = Settings()) {
        self.directory = directory
        self.pool = pool
        self.settings = settings
        self.penalty = AuthPenalty(settings: settings.penalty)
    }

    /// Checks `user`'s `password` for `service`, after the penalty `peer` has earned; on
    /// success takes one of the user's session slots, which `endSession` gives back.
    public func login(user: String, password: [UInt8], service: MailAccessService, peer: String?) async -> Outcome {
        let wait = penalty.delay(for: peer, now: .now)
        if wait > .zero { try? await Task.sleep(for: wait) }
        let directory = self.directory
        let found: Mailbox?
        do {
            found = try await pool.run { try directory.login(user, password: password, service: service) }
        } catch {
            return .unavailable("\(error)")
        }
        guard let mailbox = found else {
            penalty.failed(peer, now: .now)
            return .failed
        }
        penalty.succeeded(peer)
        var limit = sessions[service] ?? UserConnectionLimit(limit: settings.maxSessionsPerUserAddress[service] ?? 10)
        defer { sessions[service] = limit }
        guard limit.acquire(user: mailbox.address, address: peer) else { return .tooManySessions }
        return .success(mailbox)
    }

    /// Gives back the session slot a successful `login` took.
    public func endSession(user: String, service: MailAccessService, peer: String?) {
        sessions[service]?.release(user: user, address: peer)
    }

    /// How long the next answer to `peer` would wait (for tests and the log).
    public func currentPenalty(for peer: String?) -> Duration {
        penalty.delay(for: peer, now: .now)
    }
}
