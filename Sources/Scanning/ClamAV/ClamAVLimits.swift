/// Resource limits applied to every libclamav scan (`cl_engine_set_num`).
///
/// They bound what a hostile attachment (zip bomb, deep nesting, pathological PE) can
/// cost. Defaults are clamd's classic ones (`MaxScanSize 100M`, `MaxFileSize 25M`,
/// `MaxRecursion 17`, `MaxFiles 10000`, `MaxScanTime 120000`); ClamAV 1.x raised the two
/// size limits in its sample config, so raise them here if large attachments must be
/// scanned in full. Content past a limit is not scanned, and is not reported as a virus.
public struct ClamAVLimits: Sendable, Equatable {
    /// Bytes scanned per item in total, archive contents included (`CL_ENGINE_MAX_SCANSIZE`).
    public var maxScanSize: Int64
    /// Largest single file, extracted or not, that is scanned (`CL_ENGINE_MAX_FILESIZE`).
    public var maxFileSize: Int64
    /// Nesting depth of archives/containers (`CL_ENGINE_MAX_RECURSION`).
    public var maxRecursion: Int
    /// Number of files extracted from one item (`CL_ENGINE_MAX_FILES`).
    public var maxFiles: Int
    /// Wall time per scan in milliseconds (`CL_ENGINE_MAX_SCANTIME`).
    public var maxScanTime: Int

    public init(
        maxScanSize: Int64 = 100 * 1024 * 1024,
        maxFileSize: Int64 = 25 * 1024 * 1024,
        maxRecursion: Int = 17,
        maxFiles: Int = 10_000,
        maxScanTime: Int = 120_000
    ) {
        self.maxScanSize = maxScanSize
        self.maxFileSize = maxFileSize
        self.maxRecursion = maxRecursion
        self.maxFiles = maxFiles
        self.maxScanTime = maxScanTime
    }

    /// clamd's defaults, spelled out for call sites that want to say so.
    public static let clamdDefaults = ClamAVLimits()
}

/// Which libclamav scan features are on. Defaults follow clamd's: every parser on,
/// heuristic alerts on, the noisy heuristics (broken executables, encrypted archives,
/// macros, limits exceeded) off, and first-match mode (`CL_SCAN_GENERAL_ALLMATCHES` off,
/// because one virus name is enough to decide and all-match scans cost more).
public struct ClamAVScanOptions: Sendable, Equatable {
    /// `HeuristicAlerts` (`CL_SCAN_GENERAL_HEURISTICS`).
    public var heuristicAlerts: Bool
    /// `AlertEncrypted`: report password-protected archives and documents as a heuristic
    /// virus. Off, encrypted archives are still reported, as `ScanResult.undecipherable`.
    public var alertEncrypted: Bool
    /// `AlertBrokenExecutables`.
    public var alertBrokenExecutables: Bool
    /// `AlertOLE2Macros`.
    public var alertMacros: Bool
    /// `AlertExceedsMax`: report items cut short by `ClamAVLimits` as a heuristic virus.
    /// Off, they are still reported, as `ScanResult.undecipherable`.
    public var alertExceedsMax: Bool

    public init(
        heuristicAlerts: Bool = true,
        alertEncrypted: Bool = false,
        alertBrokenExecutables: Bool = false,
        alertMacros: Bool = false,
        alertExceedsMax: Bool = false
    ) {
        self.heuristicAlerts = heuristicAlerts
        self.alertEncrypted = alertEncrypted
        self.alertBrokenExecutables = alertBrokenExecutables
        self.alertMacros = alertMacros
        self.alertExceedsMax = alertExceedsMax
    }
}
