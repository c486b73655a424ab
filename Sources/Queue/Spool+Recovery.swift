import MoatCore

/// Start-up recovery: what a crash can leave behind, given the write order described on
/// `Spool`, and what becomes of it.
extension Spool {
    /// What `recover` found and did.
    public struct RecoveryReport: Sendable, Equatable {
        /// Envelopes in `active/` and `hold/`: the messages still queued.
        public var queued = 0
        /// Temporary files in `incoming/` removed (a crash mid-write, before any 250).
        public var removedTemporaryFiles = 0
        /// Message files without an envelope removed (a crash between writing the message
        /// and its envelope, or between removing the envelope and the message).
        public var removedOrphanMessages = 0
        /// Envelopes with every recipient done, removed (a crash before the dequeue).
        public var removedFinished = 0
        /// Envelopes whose message file is missing, moved to `corrupt/` for inspection.
        public var corrupt: [String] = []
    }

    /// Cleans what an interrupted write or removal left behind. Files younger than
    /// `orphanAge` seconds are left alone: another process (`moat queue inject`, a second
    /// MX process) may be between its two writes right now.
    public func recover(orphanAge: Double = 600, now: Double = DurableFile.currentTime())
        throws(QueueError) -> RecoveryReport {
        try prepare()
        var report = RecoveryReport()
        let old: (String) -> Bool = { path in
            guard let modified = DurableFile.modificationTime(path) else { return false }
            return now - modified >= orphanAge
        }
        for name in try spoolIO({ try DurableFile.entries(of: "\(directory)/incoming") })
        where old("\(directory)/incoming/\(name)") {
            if try spoolIO({ try DurableFile.remove("\(directory)/incoming/\(name)") }) { report.removedTemporaryFiles += 1 }
        }
        var enveloped = Set<String>()
        for location in Location.allCases {
            for id in try ids(in: location) {
                guard let entry = try entry(id) else { continue }
                if try spoolIO({ try DurableFile.status(of: messagePath(id)) }) == nil {
                    try lock.withLock { () throws(QueueError) in
                        try spoolIO {
                            try DurableFile.rename(envelopePath(id, location), to: "\(directory)/corrupt/\(id).env")
                        }
                    }
                    report.corrupt.append(id)
                } else if entry.envelope.isFinished {
                    try remove(id)
                    report.removedFinished += 1
                } else {
                    enveloped.insert(id)
                    report.queued += 1
                }
            }
        }
        for name in try spoolIO({ try DurableFile.entries(of: "\(directory)/messages") }) where name.hasSuffix(".msg") {
            let id = String(name.dropLast(4))
            let path = "\(directory)/messages/\(name)"
            guard !enveloped.contains(id), old(path) else { continue }
            // Checked again under the lock: an enqueue may have finished since the scan.
            let removed = try lock.withLock { () throws(QueueError) -> Bool in
                guard try currentLocation(id) == nil else { return false }
                return try spoolIO { try DurableFile.remove(path) }
            }
            if removed { report.removedOrphanMessages += 1 }
        }
        return report
    }
}
