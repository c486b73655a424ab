import CClamAV
import Foundation
import Logging

/// One loaded and compiled `cl_engine`, owned by reference count.
///
/// A compiled engine is read-only, and libclamav allows any number of concurrent scans on
/// it. Each scan holds a strong reference for its duration, so when a reload swaps in a
/// new engine the old one is freed (`cl_engine_free` in `deinit`) only after its last
/// in-flight scan returns.
final class ClamAVCompiledEngine: @unchecked Sendable {
    // @unchecked: `engine` is never mutated after compile; libclamav documents compiled
    // engines as safe for concurrent scanning.
    private let engine: OpaquePointer
    /// Signatures libclamav reported loading, summed over all paths.
    let signatureCount: Int
    /// The database paths that existed and were loaded.
    let loadedPaths: [String]
    /// Reads each scan's verdict and files with the limits and options loaded with, and the
    /// archive types this libclamav recognises but cannot unpack (RAR without unrar).
    private let findings: ClamAVFindings
    /// `cl_scan_options` for every scan, from the options loaded with.
    private let clOptions: cl_scan_options

    private init(
        engine: OpaquePointer, signatureCount: Int, loadedPaths: [String], findings: ClamAVFindings,
        clOptions: cl_scan_options
    ) {
        self.engine = engine
        self.signatureCount = signatureCount
        self.loadedPaths = loadedPaths
        self.findings = findings
        self.clOptions = clOptions
    }

    deinit { cl_engine_free(engine) }

    /// Loads every existing path in `databases` (directories or single files), applies
    /// `limits`, and compiles; every scan then runs with `options`. Missing paths are
    /// skipped with a notice, so one config works on a test box without `/var/lib/clamav`;
    /// loading zero signatures in total is an error.
    static func load(
        databases: [String], limits: ClamAVLimits, options: ClamAVScanOptions, logger: Logger
    ) throws(ScanError) -> ClamAVCompiledEngine {
        try ClamAVRuntime.initialize(logger: logger)
        guard let engine = cl_engine_new() else { throw .engineCreationFailed }
        // Until the wrapper owns it, free the raw engine on every error path.
        var owned = false
        defer { if !owned { cl_engine_free(engine) } }

        try apply(limits, to: engine)
        // The clean cache skips a file whose MD5 it has seen clean, children included, so
        // the second mail carrying the same archive would report no members and its
        // `.exe` would pass the banned-name check. Every member must be seen every time.
        let cacheOff = cl_engine_set_num(engine, CL_ENGINE_DISABLE_CACHE, 1)
        guard cacheOff == CL_SUCCESS else {
            throw .engineSettingFailed(setting: "DisableCache", value: 1, message: ClamAVRuntime.errorText(cacheOff))
        }
        cl_engine_set_clcb_file_inspection(engine, clamAVFileInspectionCallback)

        var total = 0
        var loaded: [String] = []
        for path in databases {
            guard FileManager.default.fileExists(atPath: path) else {
                logger.notice("ClamAV database path missing, skipped", metadata: ["path": "\(path)"])
                continue
            }
            // freshclam creates its directory before the first download; an empty one is
            // "not there yet", and the zero-signature check below still catches it.
            guard !isDirectoryWithoutDatabases(path) else {
                logger.notice("ClamAV database directory has no databases, skipped", metadata: ["path": "\(path)"])
                continue
            }
            var count: UInt32 = 0
            let result = cl_load(path, engine, &count, moat_cl_db_stdopt)
            guard result == CL_SUCCESS else {
                throw .databaseLoadFailed(path: path, message: ClamAVRuntime.errorText(result))
            }
            logger.debug("ClamAV database loaded", metadata: ["path": "\(path)", "signatures": "\(count)"])
            total += Int(count)
            loaded.append(path)
        }
        guard total > 0 else { throw .noSignaturesLoaded(searched: databases) }

        let compiled = cl_engine_compile(engine)
        guard compiled == CL_SUCCESS else {
            throw .engineCompileFailed(message: ClamAVRuntime.errorText(compiled))
        }
        owned = true
        let findings = ClamAVFindings(
            maxFileSize: limits.maxFileSize, options: options,
            typesNotUnpacked: ClamAVFormatSupport.unpackableTypesMissing(engine: engine, logger: logger))
        return ClamAVCompiledEngine(
            engine: engine, signatureCount: total, loadedPaths: loaded, findings: findings,
            clOptions: scanOptions(options))
    }

    /// Whether `path` is a directory holding no file libclamav would load (its `CLI_DBEXT`).
    private static func isDirectoryWithoutDatabases(_ path: String) -> Bool {
        // An unreadable directory is not "empty": cl_load then says why it cannot read it.
        guard (try? FileManager.default.contentsOfDirectory(atPath: path)) != nil else { return false }
        return databaseFiles(in: [path]).isEmpty
    }

    /// File extensions `cl_load` picks up from a directory (libclamav's CLI_DBEXT list).
    static let databaseExtensions: Set<String> = [
        "db", "hdb", "hdu", "fp", "mdb", "mdu", "hsb", "hsu", "sfp", "msb", "msu", "ndb", "ndu", "ldb", "ldu",
        "sdb", "zmd", "rmd", "pdb", "gdb", "wdb", "cbc", "ftm", "cfg", "cvd", "cld", "cud", "cdb", "cat", "crb",
        "idb", "ioc", "yar", "yara", "pwdb", "ign", "ign2", "imp",
    ]

    /// The files libclamav would load from `databases`: each directory's files with a
    /// database extension, and each named file; missing paths give none.
    static func databaseFiles(in databases: [String]) -> [String] {
        databases.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
            guard isDirectory.boolValue else { return [path] }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.sorted()
                .filter { databaseExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .map { path + "/" + $0 }
        }
    }

    private static func apply(_ limits: ClamAVLimits, to engine: OpaquePointer) throws(ScanError) {
        let settings: [(String, cl_engine_field, Int64)] = [
            ("MaxScanSize", CL_ENGINE_MAX_SCANSIZE, limits.maxScanSize),
            ("MaxFileSize", CL_ENGINE_MAX_FILESIZE, limits.maxFileSize),
            ("MaxRecursion", CL_ENGINE_MAX_RECURSION, Int64(limits.maxRecursion)),
            ("MaxFiles", CL_ENGINE_MAX_FILES, Int64(limits.maxFiles)),
            ("MaxScanTime", CL_ENGINE_MAX_SCANTIME, Int64(limits.maxScanTime)),
        ]
        for (name, field, value) in settings {
            let result = cl_engine_set_num(engine, field, value)
            guard result == CL_SUCCESS else {
                throw .engineSettingFailed(setting: name, value: value, message: ClamAVRuntime.errorText(result))
            }
        }
    }

    /// Scans `bytes` in place (no copy, no temp file): the virus name, if any, and with
    /// `recordsFiles` the files libclamav unpacked and the parts it could not. Blocks for
    /// the duration of the scan: call it from a `BlockingWorkPool` thread.
    func scan(
        _ bytes: UnsafeRawBufferPointer, name: String?, recordsFiles: Bool, logger: Logger
    ) throws(ScanError) -> ScanResult {
        // Nothing to scan; libclamav would refuse to map zero bytes.
        guard bytes.count > 0 else { return ScanResult(containedFiles: []) }
        let context = ClamAVScanContext(logger: logger, itemName: name, recordsFiles: recordsFiles)
        let (result, virusName) = try Self.scanMap(bytes, name: name, engine: engine, options: clOptions, context: context)
        switch result {
        case CL_CLEAN:
            return findings.result(virusName: nil, files: context.files)
        case CL_VIRUS:
            return findings.result(virusName: virusName ?? "Unknown.Virus", files: context.files)
        default:
            throw .scanFailed(name: name, message: ClamAVRuntime.errorText(result))
        }
    }

    /// One `cl_scanmap_callback` over `bytes` in place, its callbacks going to `context`:
    /// libclamav's result code and virus name.
    static func scanMap(
        _ bytes: UnsafeRawBufferPointer, name: String?, engine: OpaquePointer, options: cl_scan_options,
        context: ClamAVScanContext
    ) throws(ScanError) -> (cl_error_t, String?) {
        guard let map = cl_fmap_open_memory(bytes.baseAddress, bytes.count) else {
            throw .scanFailed(name: name, message: "cl_fmap_open_memory failed for \(bytes.count) bytes")
        }
        defer { cl_fmap_close(map) }
        var options = options
        var virusName: UnsafePointer<CChar>?
        var scanned: UInt = 0
        let result = withExtendedLifetime(context) {
            cl_scanmap_callback(
                map, name, &virusName, &scanned, engine, &options, Unmanaged.passUnretained(context).toOpaque())
        }
        return (result, virusName.map { String(cString: $0) })
    }

    private static func scanOptions(_ options: ClamAVScanOptions) -> cl_scan_options {
        var general: UInt32 = 0
        if options.heuristicAlerts { general |= UInt32(CL_SCAN_GENERAL_HEURISTICS) }
        // Encrypted archives and exceeded limits are always asked for: without an alert
        // they look clean. `ClamAVFindings` reports them as undecipherable, not as viruses,
        // unless the options make them alerts. Encrypted documents (a bank's PDF statement)
        // are everyday mail, so only `alertEncrypted` asks for those.
        var heuristic = UInt32(CL_SCAN_HEURISTIC_ENCRYPTED_ARCHIVE) | UInt32(CL_SCAN_HEURISTIC_EXCEEDS_MAX)
        if options.alertEncrypted { heuristic |= UInt32(CL_SCAN_HEURISTIC_ENCRYPTED_DOC) }
        if options.alertBrokenExecutables { heuristic |= UInt32(CL_SCAN_HEURISTIC_BROKEN) }
        if options.alertMacros { heuristic |= UInt32(CL_SCAN_HEURISTIC_MACROS) }
        // Every parser on (archives, mail, OLE2, PDF, HTML, PE, ELF, ...), as clamd does
        // by default: a mail gateway sees all of these as attachments.
        return cl_scan_options(general: general, parse: ~UInt32(0), heuristic: heuristic, mail: 0, dev: 0)
    }
}
