import Logging
import MoatCore

/// The queue manager: recovers the spool on start, delivers due messages through a
/// `QueueDeliverer` with bounded concurrency, records each recipient's outcome, defers
/// temporary failures with exponential backoff and bounces permanent failures and
/// expired mail. Like Postfix's qmgr it never talks to the outside itself.
///
/// In memory it keeps only the next-attempt time of each active message; the spool
/// stays the truth, so a restart (or `moat queue` in another process) loses nothing.
/// Changes by another process are seen when the `wakeup` file changes (polled every
/// `wakeupPollInterval`) and at every full rescan (`queueRunDelay`).
public actor QueueScheduler {
    /// How the scheduler behaves; `QueueSettings` gives the configured values.
    public struct Configuration: Sendable {
        public var schedule: RetrySchedule
        /// Seconds between full rescans of the spool.
        public var queueRunDelay: Double
        public var maxConcurrentDeliveries: Int
        /// Seconds between checks of the `wakeup` file.
        public var wakeupPollInterval: Double
        /// Leftovers of interrupted writes younger than this are not removed at start.
        public var orphanAge: Double
        /// Who signs bounces; nil sends none (the failure is still recorded and logged).
        public var bounces: BounceSettings?

        public init(schedule: RetrySchedule, queueRunDelay: Double = 300, maxConcurrentDeliveries: Int = 20,
                    wakeupPollInterval: Double = 1, orphanAge: Double = 600, bounces: BounceSettings?) {
            self.schedule = schedule
            self.queueRunDelay = queueRunDelay
            self.maxConcurrentDeliveries = max(1, maxConcurrentDeliveries)
            self.wakeupPollInterval = wakeupPollInterval
            self.orphanAge = orphanAge
            self.bounces = bounces
        }

        /// The configuration of `[queue]`, with bounces from `postmaster@hostname`.
        public init(_ settings: QueueSettings, bounces: BounceSettings?) {
            self.init(schedule: RetrySchedule(minimalBackoff: settings.minimalBackoffTime.seconds,
                                              maximalBackoff: settings.maximalBackoffTime.seconds,
                                              maxLifetime: settings.maxQueueLifetime.seconds),
                      queueRunDelay: settings.queueRunDelay.seconds,
                      maxConcurrentDeliveries: settings.maxConcurrentDeliveries, bounces: bounces)
        }
    }

    public nonisolated let spool: Spool
    private let deliverer: any QueueDeliverer
    private let configuration: Configuration
    private let logger: Logger

    /// Next-attempt time of each active message not being delivered right now.
    private var due: [String: Double] = [:]
    private var inFlight: Set<String> = []
    private var lastRescan = -Double.infinity
    private var lastWakeupStamp: Double?
    private var waiter: CheckedContinuation<Void, Never>?
    private var signalled = false
    /// Turns of the run loop; idle, there is one per `wakeupPollInterval` (tests check it sleeps).
    private(set) var passes = 0

    private let arrivals: QueueArrivals?

    /// - Parameter arrivals: announcements of messages other tasks queue (the MX).
    public init(spool: Spool, deliverer: any QueueDeliverer, configuration: Configuration,
                arrivals: QueueArrivals? = nil, logger: Logger = Logger(label: "moat.queue")) {
        self.spool = spool
        self.deliverer = deliverer
        self.configuration = configuration
        self.arrivals = arrivals
        self.logger = logger
    }

    /// Recovers the spool, then delivers until the task is cancelled. Deliveries in
    /// progress at cancellation finish and are recorded before this returns.
    public func run() async throws(QueueError) {
        let report = try spool.recover(orphanAge: configuration.orphanAge)
        logger.info("queue recovered", metadata: [
            "queued": "\(report.queued)", "temporary_removed": "\(report.removedTemporaryFiles)",
            "orphans_removed": "\(report.removedOrphanMessages)", "finished_removed": "\(report.removedFinished)",
            "corrupt": "\(report.corrupt.joined(separator: ","))",
        ])
        lastWakeupStamp = spool.wakeupStamp()
        try rescan()
        await withDiscardingTaskGroup { group in
            if let arrivals {
                group.addTask {
                    for await id in arrivals.stream { await self.queued(id) }
                }
            }
            while !Task.isCancelled {
                passes += 1
                let now = DurableFile.currentTime()
                let stamp = spool.wakeupStamp()
                if stamp != lastWakeupStamp || now - lastRescan >= configuration.queueRunDelay {
                    lastWakeupStamp = stamp
                    do { try rescan() } catch { logger.error("queue rescan failed: \(error)") }
                }
                for id in takeDue(now: now) {
                    group.addTask { await self.attempt(id) }
                }
                await waitForWork(now: now)
            }
            group.cancelAll()
        }
    }

    /// Queues a message durably (see `Spool.enqueue`) and schedules it at once.
    public func enqueue(_ envelope: Envelope, message: [UInt8], envelopeID: String? = nil,
                        hints: DeliveryHints = .none) throws(QueueError) -> String {
        let id = try spool.enqueue(envelope, message: message, envelopeID: envelopeID, hints: hints)
        schedule(id, at: DurableFile.currentTime())
        return id
    }

    /// Schedules a message another task has just written to the spool (the MX writes off
    /// the actor, so its fsyncs do not queue behind each other).
    public func queued(_ id: String) {
        schedule(id, at: DurableFile.currentTime())
    }

    /// Makes every deferred message due now.
    public func flush() throws(QueueError) {
        try spool.flush()
        let now = DurableFile.currentTime()
        for id in due.keys { due[id] = now }
        signal()
    }

    /// Takes a message out of scheduling.
    public func hold(_ id: String) throws(QueueError) {
        try spool.hold(id)
        due[id] = nil
    }

    /// Schedules a held message now.
    public func release(_ id: String) throws(QueueError) {
        try spool.release(id)
        schedule(id, at: DurableFile.currentTime())
    }

    /// Removes a message; an attempt in progress finishes but is not recorded.
    @discardableResult
    public func delete(_ id: String) throws(QueueError) -> Bool {
        due[id] = nil
        return try spool.remove(id)
    }

    // MARK: Scheduling

    /// Re-reads every active envelope's next-attempt time; forgets messages that left.
    private func rescan() throws(QueueError) {
        lastRescan = DurableFile.currentTime()
        var fresh: [String: Double] = [:]
        for id in try spool.ids(in: .active) where !inFlight.contains(id) {
            do {
                if let entry = try spool.entry(id), entry.location == .active {
                    fresh[id] = entry.envelope.nextAttempt
                }
            } catch {
                logger.error("queue: cannot read \(id): \(error)")
            }
        }
        due = fresh
    }

    /// A message being delivered is not scheduled again: its attempt records the outcome
    /// and sets the next time (an announcement racing a rescan would otherwise start a
    /// second, concurrent attempt and deliver twice).
    private func schedule(_ id: String, at time: Double) {
        guard !inFlight.contains(id) else { return }
        due[id] = min(due[id] ?? time, time)
        signal()
    }

    /// The due messages to start now, oldest due first, within the concurrency limit.
    private func takeDue(now: Double) -> [String] {
        let capacity = configuration.maxConcurrentDeliveries - inFlight.count
        guard capacity > 0 else { return [] }
        let ready = due.filter { $0.value <= now && !inFlight.contains($0.key) }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.prefix(capacity)
        for (id, _) in ready {
            due[id] = nil
            inFlight.insert(id)
        }
        return ready.map(\.key)
    }

    /// Sleeps until the next message is due, a signal, or the next wake-up-file poll.
    private func waitForWork(now: Double) async {
        if signalled { signalled = false; return }
        var delay = configuration.wakeupPollInterval
        if inFlight.count < configuration.maxConcurrentDeliveries, let next = due.values.min() {
            delay = min(delay, max(0, next - now))
        }
        let timer = Task { [weak self] in
            // Only a timer that ran out may signal. One cancelled below (the wait ended
            // otherwise) that signalled anyway would end the next wait at once, whose
            // cancelled timer would end the one after: the loop would never sleep.
            do {
                try await Task.sleep(for: .milliseconds(Int64(delay * 1000) + 1))
            } catch {
                return
            }
            await self?.signal()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if signalled || Task.isCancelled {
                    signalled = false
                    continuation.resume()
                } else {
                    waiter = continuation
                }
            }
        } onCancel: {
            Task { await self.signal() }
        }
        timer.cancel()
    }

    private func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            signalled = true
        }
    }

    // MARK: Attempts

    private func attempt(_ id: String) async {
        let next = await Self.perform(id, spool: spool, deliverer: deliverer, configuration: configuration,
                                      logger: logger)
        inFlight.remove(id)
        if let next { due[id] = next.nextAttempt }
        for bounce in next?.bounces ?? [] { due[bounce] = DurableFile.currentTime() }
        signal()
    }

    /// What an attempt left to schedule: the message's next attempt, and bounces queued.
    private struct Followup: Sendable {
        var nextAttempt: Double?
        var bounces: [String]
    }

    /// One attempt, off the actor so deliveries and their fsyncs run in parallel.
    /// - Returns: the follow-up; a nil `nextAttempt` when the message left the queue.
    private nonisolated static func perform(_ id: String, spool: Spool, deliverer: any QueueDeliverer,
                                            configuration: Configuration, logger: Logger) async -> Followup? {
        do {
            guard let entry = try spool.entry(id), entry.location == .active else { return nil }
            let message = try spool.message(id)
            let pending = entry.envelope.recipients.filter { $0.state == .pending }
            var outcomes: [DeliveryOutcome] = []
            if !pending.isEmpty {
                let queued = QueuedMessage(id: id, sender: entry.envelope.senderAddress, bytes: message,
                                           arrival: entry.envelope.arrival, hints: entry.envelope.hints ?? .none,
                                           client: entry.envelope.client)
                outcomes = await deliverer.deliver(queued, to: pending.map { QueuedEnvelope.address($0.address) })
            }
            let now = DurableFile.currentTime()
            let result = DeliveryAttempt(entry.envelope, outcomes: outcomes, now: now, schedule: configuration.schedule)
            log(result, at: now, logger: logger)
            var bounces: [String] = []
            // The bounce is queued before the failure is recorded: a crash in between
            // bounces twice rather than never.
            if !result.newlyFailed.isEmpty, let settings = configuration.bounces,
               let bounce = try Bounce.enqueue(for: result, message: message, settings: settings,
                                               spool: spool, now: now) {
                bounces.append(bounce)
            }
            if result.envelope.isFinished {
                try spool.remove(id)
                return Followup(nextAttempt: nil, bounces: bounces)
            }
            guard try spool.update(result.envelope) else { return Followup(nextAttempt: nil, bounces: bounces) }
            return Followup(nextAttempt: result.envelope.nextAttempt, bounces: bounces)
        } catch {
            logger.error("queue: attempt on \(id) failed: \(error)")
            // Retried after the shortest backoff rather than spinning on a broken file.
            return Followup(nextAttempt: DurableFile.currentTime() + configuration.schedule.minimalBackoff, bounces: [])
        }
    }

    /// One line per recipient outcome, Postfix style: `ID: to=<a>, status=deferred (text)`.
    private nonisolated static func log(_ result: DeliveryAttempt, at now: Double, logger: Logger) {
        for recipient in result.envelope.recipients where recipient.lastAttempt == now {
            let status: String
            switch recipient.state {
            case .pending: status = "deferred"
            case .delivered: status = "sent"
            case .failed: status = "bounced"
            }
            logger.info("\(result.envelope.id): to=<\(recipient.address)>, status=\(status) (\(recipient.text ?? ""))")
        }
    }
}
