import MoatCore
import Foundation
import Logging

/// libclamav in-process: the databases are loaded and compiled once and shared by every
/// scan; scans run on a dedicated pool of threads and are exposed as async functions.
///
/// Reloading (`reload()` on SIGHUP, `reloadIfChanged()` on a timer after freshclam)
/// builds a complete new engine while scans continue on the old one, then swaps it in
/// under a lock. A failed reload keeps the old engine serving and throws.
public final class ClamAVEngine: VirusScanner {
    /// The configured database paths (directories or files), in load order.
    public let databases: [String]
    public let limits: ClamAVLimits
    public let options: ClamAVScanOptions
    private let logger: Logger
    private let pool: BlockingWorkPool
    private let current: Locked<(engine: ClamAVCompiledEngine, fingerprint: ClamAVDatabaseFingerprint)>
    /// Serialises reloads so two SIGHUPs do not load the databases twice at once.
    private let reloadLock = NSLock()

    /// Loads every database path in `databases` that exists and compiles the engine.
    ///
    /// - Parameters:
    ///   - databases: directories (e.g. freshclam's `/var/lib/clamav`) or single files
    ///     (`.cvd`, `.cld`, `.ndb`, `.hdb`, ...). Missing paths are skipped.
    ///   - scanThreads: how many scans run at once; defaults to the number of cores,
    ///     since a scan is CPU-bound.
    /// - Throws: `ScanError` when a database is corrupt, nothing at all was loaded, or the
    ///   engine does not compile.
    public init(
        databases: [String],
        limits: ClamAVLimits = .clamdDefaults,
        options: ClamAVScanOptions = ClamAVScanOptions(),
        scanThreads: Int = ProcessInfo.processInfo.activeProcessorCount,
        logger: Logger
    ) throws(ScanError) {
        self.databases = databases
        self.limits = limits
        self.options = options
        self.logger = logger
        // Fingerprint before loading: a change made during the load is seen next time.
        let fingerprint = ClamAVDatabaseFingerprint.take(of: databases)
        let engine = try ClamAVCompiledEngine.load(databases: databases, limits: limits, options: options, logger: logger)
        self.current = Locked((engine, fingerprint))
        self.pool = BlockingWorkPool(name: "moat-clamav", threads: scanThreads)
        logger.info(
            "ClamAV engine ready",
            metadata: ["signatures": "\(engine.signatureCount)", "databases": "\(engine.loadedPaths)"])
    }

    deinit { pool.shutdown() }

    /// Signatures in the engine currently answering scans.
    public var signatureCount: Int { current.withLock { $0.engine.signatureCount } }

    /// Scans `bytes` (a MIME leaf or a whole message; libclamav unpacks archives, mail,
    /// documents and packed executables itself) and returns the virus name, if any.
    public func scan(_ bytes: [UInt8], name: String?) async throws -> [String] {
        try await scan(bytes, name: name, recordsFiles: false).virusNames
    }

    /// As `scan`, with every file libclamav unpacked (names and types, for banned-name
    /// checks) and the parts it could not unpack (encrypted, over a limit, unparsable).
    public func inspect(_ bytes: [UInt8], name: String?) async throws -> ScanResult {
        try await scan(bytes, name: name, recordsFiles: true)
    }

    private func scan(_ bytes: [UInt8], name: String?, recordsFiles: Bool) async throws -> ScanResult {
        // Holding `engine` keeps it alive even if a reload swaps it out mid-scan.
        let engine = current.withLock { $0.engine }
        let logger = logger
        let started = ContinuousClock.now
        let found = try await pool.run {
            try bytes.withUnsafeBytes { try engine.scan($0, name: name, recordsFiles: recordsFiles, logger: logger) }
        }
        logger.debug(
            "ClamAV scanned",
            metadata: [
                "item": "\(name ?? "-")", "bytes": "\(bytes.count)",
                "result": "\(found.virusNames.first ?? "clean")", "contained": "\(found.containedFiles?.count ?? 0)",
                "undecipherable": "\(found.undecipherable.count)", "elapsed": "\(ContinuousClock.now - started)",
            ])
        return found
    }

    /// Reloads when any database path changed since the last load (file added, removed,
    /// replaced or touched). Returns whether a new engine was swapped in.
    @discardableResult
    public func reloadIfChanged() throws(ScanError) -> Bool {
        reloadLock.lock()
        defer { reloadLock.unlock() }
        let fingerprint = ClamAVDatabaseFingerprint.take(of: databases)
        guard fingerprint != current.withLock({ $0.fingerprint }) else { return false }
        try load(fingerprint: fingerprint)
        return true
    }

    /// Reloads unconditionally (SIGHUP).
    public func reload() throws(ScanError) {
        reloadLock.lock()
        defer { reloadLock.unlock() }
        try load(fingerprint: ClamAVDatabaseFingerprint.take(of: databases))
    }

    private func load(fingerprint: ClamAVDatabaseFingerprint) throws(ScanError) {
        let started = ContinuousClock.now
        let engine: ClamAVCompiledEngine
        do throws(ScanError) {
            engine = try ClamAVCompiledEngine.load(databases: databases, limits: limits, options: options, logger: logger)
        } catch {
            logger.error("ClamAV reload failed, keeping the previous databases", metadata: ["error": "\(error)"])
            throw error
        }
        // The old engine is released here; it is freed once in-flight scans drop it.
        current.withLock { $0 = (engine, fingerprint) }
        logger.info(
            "ClamAV engine reloaded",
            metadata: ["signatures": "\(engine.signatureCount)", "elapsed": "\(ContinuousClock.now - started)"])
    }
}
