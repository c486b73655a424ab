import MoatCore
import CClamAV
import Logging

/// Process-wide libclamav state: `cl_init` (once per process) and the message callback.
///
/// libclamav prints warnings and errors to stderr unless a message callback is set, and
/// the callback is global. We set it before `cl_init` and route messages to swift-log:
/// scan-time messages to the logger of the scan that caused them (libclamav hands back the
/// per-scan context pointer), load-time messages to the most recently created engine's.
enum ClamAVRuntime {
    /// The result of the one `cl_init` call; Swift runs this initializer exactly once.
    private static let initialization: cl_error_t = {
        cl_set_clcb_msg(clamAVMessageCallback)
        return cl_init(UInt32(CL_INIT_DEFAULT))
    }()

    /// Where messages without a scan context go.
    static let defaultLogger = Locked(Logger(label: "moat.clamav"))

    static func initialize(logger: Logger) throws(ScanError) {
        defaultLogger.withLock { $0 = logger }
        let result = initialization
        guard result == CL_SUCCESS else {
            throw .clamAVInitializationFailed(message: errorText(result))
        }
    }

    static func errorText(_ code: cl_error_t) -> String {
        guard let text = cl_strerror(code) else { return "libclamav error \(code.rawValue)" }
        return String(cString: text)
    }
}

/// The C callback. It must not capture anything, so it finds its logger through the
/// context pointer (an unretained `ClamAVScanContext` kept alive by the scan) or falls
/// back to the process-wide default.
private func clamAVMessageCallback(
    severity: cl_msg, fullMessage: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?,
    context: UnsafeMutableRawPointer?
) {
    guard let message else { return }
    var text = String(cString: message)
    while text.last?.isNewline == true { text.removeLast() }
    guard !text.isEmpty else { return }

    let level: Logger.Level
    switch severity {
    case CL_MSG_ERROR: level = .error
    case CL_MSG_WARN: level = .warning
    default: level = .debug
    }
    if let context {
        let scan = Unmanaged<ClamAVScanContext>.fromOpaque(context).takeUnretainedValue()
        scan.logger.log(level: level, "libclamav: \(text)", metadata: ["item": "\(scan.itemName ?? "-")"])
    } else {
        let logger = ClamAVRuntime.defaultLogger.withLock { $0 }
        logger.log(level: level, "libclamav: \(text)")
    }
}
