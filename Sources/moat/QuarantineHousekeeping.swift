import Foundation
import Logging
import MoatCore
import Quarantine

/// `[quarantine] max_age` carried out by the running server: a purge at start-up, then one
/// every `purge_interval` (a day), each logged with its count, so a site needs no cron job
/// to keep the quarantine from filling the disk.
struct QuarantineHousekeeping: Sendable {
    let store: QuarantineStore
    let maxAge: Duration
    let interval: Duration
    let logger: Logger
    /// The purge deletes files and fsyncs; it runs here, off the threads that serve sessions.
    private let pool: BlockingWorkPool

    /// nil when the settings keep quarantined mail forever (`max_age = 0`).
    init?(_ settings: QuarantineSettings, store: QuarantineStore, logger: Logger) {
        guard let maxAge = settings.maxAge else { return nil }
        self.store = store
        self.maxAge = maxAge
        self.interval = settings.purgeInterval
        self.logger = logger
        pool = BlockingWorkPool(name: "quarantine-purge", threads: 1)
    }

    /// Purges now and then once per interval; returns only when its task is cancelled.
    func run() async {
        while !Task.isCancelled {
            await purgeOnce()
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }

    private func purgeOnce() async {
        let cutoff = Date().addingTimeInterval(-maxAge.seconds)
        let age = Self.text(maxAge)
        do {
            let removed = try await pool.run { [store] in try store.purge(olderThan: cutoff) }
            logger.info("quarantine: purged \(removed) message\(removed == 1 ? "" : "s") older than \(age)")
        } catch is CancellationError {
            return
        } catch {
            logger.error("quarantine: purge of messages older than \(age) failed, retrying in \(Self.text(interval)): \(error)")
        }
    }

    /// A duration as the configuration writes it (`30d`, `12h`).
    static func text(_ duration: Duration) -> String {
        DurationText.format(seconds: Int64(duration.seconds), exact: true)
    }
}
