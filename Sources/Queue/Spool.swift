#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MoatCore

/// The durable queue on disk. Layout under `[storage] data_dir/queue`:
///
/// ```
/// queue/
///   incoming/   temporary files being written; never read as mail
///   messages/   <id>.msg   the message bytes, written once, never moved or changed
///   active/     <id>.env   envelopes the scheduler works on (due now, or deferred
///                          until their next_attempt: one directory, so a deferral is a
///                          single atomic rewrite rather than a move of two files)
///   hold/       <id>.env   held envelopes, never scheduled until released
///   corrupt/    <id>.env   envelopes whose message file is missing, set aside
///   lock        flock(2) target for envelope changes (`SpoolLock`)
///   wakeup      touched by flush/release/inject; a running scheduler watches its mtime
/// ```
///
/// The envelope file is the commit record. Enqueue writes the message first and the
/// envelope last, each to a temporary name, fsync'ed, linked into place and its directory
/// fsync'ed, so a crash before the envelope appears leaves only an orphan message that
/// recovery removes; after it appears, the message is queued. Removal runs the other way:
/// envelope first, message last, so a crash leaves an orphan message, never an envelope
/// without its message. A delivery is recorded only after the deliverer returns, so a
/// crash in between delivers again: at most a duplicate, never a loss.
public struct Spool: Sendable {
    /// Where an envelope sits.
    public enum Location: String, Sendable, CaseIterable {
        case active, hold
    }

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The spool's directories under `directory`, made by `prepare()`.
    public static let subdirectories = ["incoming", "messages", "active", "hold", "corrupt"]

    /// Creates the spool directories that are missing.
    public func prepare() throws(QueueError) {
        try spoolIO {
            for sub in Self.subdirectories {
                try DurableFile.makeDirectories("\(directory)/\(sub)", mode: 0o700)
            }
        }
    }

    /// Queues a message durably. When this returns, the message and its envelope are on
    /// disk under their final names: the moment the MX may answer 250.
    ///
    /// - Parameter preferredID: the ID to use if it is free (the MX names it in the Received
    ///   header before the message is queued); a fresh one otherwise.
    /// - Returns: the new queue ID.
    public func enqueue(_ envelope: Envelope, message: [UInt8], envelopeID: String? = nil,
                        hints: DeliveryHints = .none, preferredID: String? = nil,
                        now: Double = DurableFile.currentTime()) throws(QueueError) -> String {
        try prepare()
        var preferred = preferredID.flatMap { QueueID.isWellFormed($0) ? $0 : nil }
        while true {
            let id = preferred ?? QueueID.generate(time: now)
            preferred = nil
            do {
                try DurableFile.create(messagePath(id), temporaryPath: "\(directory)/incoming/\(id).msg",
                                       chunks: [message], publish: .neverReplace)
            } catch let error as SystemCallError where error.errno == EEXIST {
                continue  // another process drew the same ID in the same microsecond
            } catch let error as SystemCallError {
                throw .io(error)
            } catch {
                throw .io(SystemCallError(operation: "create", path: messagePath(id), errno: 0))
            }
            let record = QueuedEnvelope(id: id, envelope: envelope, arrival: now, envelopeID: envelopeID, hints: hints)
            let bytes = try record.encoded()
            do {
                try DurableFile.create(envelopePath(id, .active), temporaryPath: "\(directory)/incoming/\(id).env",
                                       chunks: [bytes], publish: .neverReplace)
            } catch {
                _ = try? DurableFile.remove(messagePath(id))
                throw .io(error as? SystemCallError
                          ?? SystemCallError(operation: "create", path: envelopePath(id, .active), errno: 0))
            }
            return id
        }
    }

    /// The queued message `id` with its envelope, or nil if it is not queued.
    public func entry(_ id: String) throws(QueueError) -> SpoolEntry? {
        guard QueueID.isWellFormed(id) else { throw .malformedID(id) }
        for location in Location.allCases {
            let path = envelopePath(id, location)
            let bytes: [UInt8]
            do {
                bytes = try DurableFile.contents(of: path)
            } catch let error as SystemCallError where error.errno == ENOENT {
                continue
            } catch {
                throw .io(error as? SystemCallError ?? SystemCallError(operation: "read", path: path, errno: 0))
            }
            let envelope = try QueuedEnvelope.decode(bytes, path: path)
            let size = try spoolIO { try DurableFile.status(of: messagePath(id))?.size } ?? 0
            return SpoolEntry(envelope: envelope, location: location, messageSize: size)
        }
        return nil
    }

    /// Every queued message in `locations`, oldest first. Envelopes that vanish while
    /// listing (delivered meanwhile) are skipped.
    public func entries(in locations: [Location] = Location.allCases) throws(QueueError) -> [SpoolEntry] {
        var result: [SpoolEntry] = []
        for location in locations {
            for id in try ids(in: location) {
                if let entry = try entry(id), entry.location == location { result.append(entry) }
            }
        }
        return result.sorted { ($0.envelope.arrival, $0.envelope.id) < ($1.envelope.arrival, $1.envelope.id) }
    }

    /// The IDs with an envelope in `location`.
    public func ids(in location: Location) throws(QueueError) -> [String] {
        let path = "\(directory)/\(location.rawValue)"
        let names: [String]
        do {
            names = try DurableFile.entries(of: path)
        } catch let error as SystemCallError where error.errno == ENOENT {
            return []
        } catch {
            throw .io(error as? SystemCallError ?? SystemCallError(operation: "opendir", path: path, errno: 0))
        }
        return names.compactMap { name in
            guard name.hasSuffix(".env") else { return nil }
            let id = String(name.dropLast(4))
            return QueueID.isWellFormed(id) ? id : nil
        }
    }

    /// The message bytes of `id`, exactly as received.
    public func message(_ id: String) throws(QueueError) -> [UInt8] {
        guard QueueID.isWellFormed(id) else { throw .malformedID(id) }
        do {
            return try DurableFile.contents(of: messagePath(id))
        } catch let error as SystemCallError where error.errno == ENOENT {
            throw .notFound(id: id)
        } catch {
            throw .io(error as? SystemCallError ?? SystemCallError(operation: "read", path: messagePath(id), errno: 0))
        }
    }

    /// Replaces the envelope of `envelope.id` wherever it is now (the scheduler may finish
    /// an attempt on a message that was held meanwhile), atomically: new file, fsync,
    /// rename over the old one, directory fsync.
    ///
    /// - Returns: false if the message was deleted meanwhile (nothing is written).
    @discardableResult
    public func update(_ envelope: QueuedEnvelope) throws(QueueError) -> Bool {
        let bytes = try envelope.encoded()
        return try lock.withLock { () throws(QueueError) -> Bool in
            guard let location = try currentLocation(envelope.id) else { return false }
            try writeEnvelope(bytes, id: envelope.id, to: location)
            return true
        }
    }

    /// Removes a message from the queue: envelope first, then the message file (see the
    /// type's documentation for why in this order).
    ///
    /// - Returns: false if it was not queued.
    @discardableResult
    public func remove(_ id: String) throws(QueueError) -> Bool {
        guard QueueID.isWellFormed(id) else { throw .malformedID(id) }
        return try lock.withLock { () throws(QueueError) -> Bool in
            var removed = false
            for location in Location.allCases {
                if try spoolIO({ try DurableFile.remove(envelopePath(id, location)) }) {
                    try spoolIO { try DurableFile.syncDirectory("\(directory)/\(location.rawValue)") }
                    removed = true
                }
            }
            if removed { try spoolIO { try DurableFile.remove(messagePath(id)) } }
            return removed
        }
    }

    // MARK: Paths and helpers shared by the extensions

    var lock: SpoolLock { SpoolLock(path: "\(directory)/lock") }
    var wakeupPath: String { "\(directory)/wakeup" }

    func messagePath(_ id: String) -> String { "\(directory)/messages/\(id).msg" }

    func envelopePath(_ id: String, _ location: Location) -> String {
        "\(directory)/\(location.rawValue)/\(id).env"
    }

    /// Where the envelope of `id` is now; call with the lock held.
    func currentLocation(_ id: String) throws(QueueError) -> Location? {
        for location in Location.allCases
        where try spoolIO({ try DurableFile.status(of: envelopePath(id, location)) }) != nil {
            return location
        }
        return nil
    }

    /// Writes envelope bytes over `<location>/<id>.env` atomically; call with the lock held.
    func writeEnvelope(_ bytes: [UInt8], id: String, to location: Location) throws(QueueError) {
        let temporary = "\(directory)/incoming/\(id).env.\(QueueID.generate(time: 0))"
        try spoolIO {
            try DurableFile.create(envelopePath(id, location), temporaryPath: temporary, chunks: [bytes],
                                   publish: .replace)
        }
    }
}

/// A queued message as `moat queue list` shows it.
public struct SpoolEntry: Sendable, Equatable {
    public var envelope: QueuedEnvelope
    public var location: Spool.Location
    /// Size of the message file in bytes.
    public var messageSize: Int64
}
