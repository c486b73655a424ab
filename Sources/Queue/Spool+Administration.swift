import MoatCore

/// What `moat queue hold|release|flush` do, on the spool directly, so they work with or
/// without a running scheduler. Each change touches the `wakeup` file, which a running
/// scheduler polls every second or so (`QueueScheduler.Configuration.wakeupPollInterval`);
/// a scheduler in another process that misses it still sees the change at its next full
/// rescan (`queue_run_delay`).
extension Spool {
    /// Takes a message out of scheduling (Postfix `postsuper -h`). An attempt already in
    /// progress finishes and its result is recorded in the held envelope.
    public func hold(_ id: String) throws(QueueError) {
        try move(id, from: .active, to: .hold)
    }

    /// Puts a held message back into scheduling, due now (Postfix `postsuper -H`).
    public func release(_ id: String) throws(QueueError) {
        try move(id, from: .hold, to: .active)
        try wake()
    }

    /// Makes every deferred message due now (Postfix `postqueue -f`).
    ///
    /// - Returns: how many envelopes were changed.
    @discardableResult
    public func flush(now: Double = DurableFile.currentTime()) throws(QueueError) -> Int {
        var changed = 0
        for id in try ids(in: .active) {
            let done = try lock.withLock { () throws(QueueError) -> Bool in
                guard try currentLocation(id) == .active, var entry = try entry(id)?.envelope,
                      entry.nextAttempt > now else { return false }
                entry.nextAttempt = now
                try writeEnvelope(try entry.encoded(), id: id, to: .active)
                return true
            }
            if done { changed += 1 }
        }
        try wake()
        return changed
    }

    /// Tells a running scheduler to rescan now: rewrites the `wakeup` file, whose
    /// modification time it polls.
    public func wake() throws(QueueError) {
        try prepare()
        try spoolIO {
            try DurableFile.create(wakeupPath, temporaryPath: "\(directory)/incoming/wakeup.\(QueueID.generate(time: 0))",
                                   chunks: [], publish: .replace)
        }
    }

    /// The `wakeup` file's modification time, nil before the first wake-up.
    public func wakeupStamp() -> Double? {
        DurableFile.modificationTime(wakeupPath)
    }

    private func move(_ id: String, from source: Location, to target: Location) throws(QueueError) {
        guard QueueID.isWellFormed(id) else { throw .malformedID(id) }
        try lock.withLock { () throws(QueueError) in
            switch try currentLocation(id) {
            case nil:
                throw .notFound(id: id)
            case source?:
                if target == .active, var envelope = try entry(id)?.envelope {
                    // Released mail is due now, as after postsuper -H and a flush.
                    envelope.nextAttempt = min(envelope.nextAttempt, DurableFile.currentTime())
                    try writeEnvelope(try envelope.encoded(), id: id, to: source)
                }
                try spoolIO { try DurableFile.rename(envelopePath(id, source), to: envelopePath(id, target)) }
            case _?:
                throw .wrongState(id: id, expected: source == .active ? "active" : "held")
            }
        }
    }
}
