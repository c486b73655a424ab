/// What an IMAP session needs from the configuration.
public struct SessionSettings: Sendable, Equatable {
    /// After `OK` in the greeting.
    public var greeting: String
    /// APPENDLIMIT (RFC 7889): the largest message APPEND takes.
    public var appendLimit: Int
    /// Failed logins after which the connection is closed (Dovecot: 3).
    public var maxAuthFailures: Int
    /// Commands answered BAD in a row after which the connection is closed.
    public var maxBadCommands: Int
    /// How often a session in IDLE looks at its mailbox when nothing woke it (Dovecot's
    /// `mailbox_idle_check_interval`): inotify wakes it within a second of a change; this
    /// catches what inotify cannot see, and is all there is when inotify is unavailable.
    public var idleCheckInterval: Duration

    public init(greeting: String = "ready.", appendLimit: Int = 50 << 20, maxAuthFailures: Int = 3,
                maxBadCommands: Int = 20, idleCheckInterval: Duration = .seconds(30)) {
        self.greeting = greeting
        self.appendLimit = appendLimit
        self.maxAuthFailures = maxAuthFailures
        self.maxBadCommands = maxBadCommands
        self.idleCheckInterval = idleCheckInterval
    }
}
