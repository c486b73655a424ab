import Logging
import Mailstore
import MoatCore

/// What wakes an idling session to look at its mailbox: the folder's inotify watch (a
/// delivery, another session's flags, expunges, appends), and a slow timer for what
/// inotify cannot see or when it is not there (Dovecot's `mailbox_idle_check_interval`,
/// 30 s). Without a change nothing wakes the session between timer ticks: no sync, no disk.
///
/// `close()` gives the watch back and stops the timer; the IDLE loop calls it on every way
/// out (DONE, any other line, disconnect, autologout, a deleted mailbox).
final class IdleWakeups: Sendable {
    /// One element per wake-up; several changes before the session looks make one.
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let watcher: MailboxWatcher?
    private let timer: Task<Void, Never>

    /// After a look, the next waits this long: a burst of changes (and the look's own index
    /// write, which wakes the watcher once more) costs a few syncs, not one per event.
    static let settleTime: Duration = .milliseconds(100)

    /// - Parameters:
    ///   - mailbox: the selected mailbox, nil when none is (IDLE in the authenticated state).
    ///   - fallback: the timer's period.
    init(mailbox: IndexedMailbox?, fallback: Duration, logger: Logger) {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.stream = stream
        self.continuation = continuation
        var watcher: MailboxWatcher?
        if let mailbox {
            do {
                watcher = try MailboxWatcher(mailbox: mailbox) { continuation.yield() }
            } catch {
                Self.warnOnce(error, fallback: fallback, logger: logger)
            }
        }
        self.watcher = watcher
        // One look at once, the watch being in place (as Dovecot's IDLE checks right after it
        // asks to be notified): nothing between the last look and the watch is missed.
        continuation.yield()
        timer = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: fallback)
                continuation.yield()
            }
        }
    }

    /// Whether inotify watches the mailbox (false: only the timer).
    var isWatching: Bool { watcher != nil }

    func close() {
        watcher?.close()
        timer.cancel()
        continuation.finish()
    }

    private static let warned = Locked(false)

    /// Once per process, as loud as it gets: every IDLE session is now slow to see mail.
    private static func warnOnce(_ error: any Error, fallback: Duration, logger: Logger) {
        guard warned.withLock({ already in defer { already = true }; return !already }) else { return }
        logger.critical("""
            imap: IDLE cannot watch mailboxes with inotify (\(error)): a session in IDLE without a watch sees \
            new mail and other sessions' changes only every \(fallback); raise fs.inotify.max_user_watches and \
            fs.inotify.max_user_instances (sysctl). Logged once.
            """)
    }
}
