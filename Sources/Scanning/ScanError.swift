/// Why a scanner could not give an answer. Every case carries enough context for one
/// log line to explain itself (which database, which endpoint, which phase).
///
/// Any of these on a message means "tempfail", not "clean".
public enum ScanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `cl_init` failed: libclamav itself is unusable in this process.
    case clamAVInitializationFailed(message: String)
    /// `cl_engine_new` returned NULL (out of memory).
    case engineCreationFailed
    /// A database file or directory exists but libclamav refused it.
    case databaseLoadFailed(path: String, message: String)
    /// None of the configured database paths yielded a single signature.
    case noSignaturesLoaded(searched: [String])
    /// `cl_engine_compile` failed after loading.
    case engineCompileFailed(message: String)
    /// A limit could not be applied to the engine.
    case engineSettingFailed(setting: String, value: Int64, message: String)
    /// libclamav returned an error (not clean, not virus) while scanning.
    case scanFailed(name: String?, message: String)
    /// A clamd endpoint string did not parse.
    case invalidClamdEndpoint(spec: String, reason: String)
    /// Could not connect to, write to or read from clamd.
    case clamdConnectionFailed(endpoint: String, phase: String, reason: String)
    /// clamd did not finish within the deadline.
    case clamdTimeout(endpoint: String, phase: String)
    /// clamd answered with an `... ERROR` line (e.g. size limit exceeded).
    case clamdError(endpoint: String, reply: String)
    /// clamd's answer did not follow the protocol.
    case clamdProtocolViolation(endpoint: String, reply: String)
    /// A `banned_filename_re` pattern did not compile.
    case invalidBannedPattern(pattern: String, message: String, offset: Int?)

    public var description: String {
        switch self {
        case .clamAVInitializationFailed(let message):
            return "libclamav initialisation failed: \(message)"
        case .engineCreationFailed:
            return "libclamav could not create an engine (out of memory?)"
        case .databaseLoadFailed(let path, let message):
            return "cannot load ClamAV database \(path): \(message)"
        case .noSignaturesLoaded(let searched):
            return "no ClamAV signatures loaded from \(searched.joined(separator: ", "))"
        case .engineCompileFailed(let message):
            return "cannot compile ClamAV engine: \(message)"
        case .engineSettingFailed(let setting, let value, let message):
            return "cannot set ClamAV \(setting)=\(value): \(message)"
        case .scanFailed(let name, let message):
            return "ClamAV scan of \(name ?? "<unnamed>") failed: \(message)"
        case .invalidClamdEndpoint(let spec, let reason):
            return "invalid clamd endpoint \"\(spec)\": \(reason)"
        case .clamdConnectionFailed(let endpoint, let phase, let reason):
            return "clamd \(endpoint): \(phase) failed: \(reason)"
        case .clamdTimeout(let endpoint, let phase):
            return "clamd \(endpoint): timed out during \(phase)"
        case .clamdError(let endpoint, let reply):
            return "clamd \(endpoint) reported an error: \(reply)"
        case .clamdProtocolViolation(let endpoint, let reply):
            return "clamd \(endpoint) sent an unexpected reply: \(reply)"
        case .invalidBannedPattern(let pattern, let message, let offset):
            return "invalid banned file name pattern /\(pattern)/ at offset \(offset ?? 0): \(message)"
        }
    }
}
