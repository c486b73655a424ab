/// Where `moat serve` writes its log lines: `[log] destination`.
///
/// The spellings are those of the configuration: `"stderr"`, `"syslog"` (the system's
/// socket, `/dev/log`), `"syslog:/path/to/socket"` (another datagram socket, e.g. a test's
/// receiver or a chroot's), or a file path.
public enum LogDestination: Sendable, Equatable, CustomStringConvertible {
    case standardError
    case syslog(socket: String)
    case file(path: String)

    /// The socket glibc's `syslog(3)` writes to, read by journald or rsyslog.
    public static let systemSyslogSocket = "/dev/log"

    /// Reads the configuration's spelling; nil for an empty text or an empty socket path.
    public init?(parsing text: String) {
        switch text {
        case "": return nil
        case "stderr": self = .standardError
        case "syslog": self = .syslog(socket: Self.systemSyslogSocket)
        default:
            if text.hasPrefix("syslog:") {
                let socket = String(text.dropFirst("syslog:".count))
                guard !socket.isEmpty else { return nil }
                self = .syslog(socket: socket)
            } else {
                self = .file(path: text)
            }
        }
    }

    public var description: String {
        switch self {
        case .standardError: "stderr"
        case .syslog(let socket): socket == Self.systemSyslogSocket ? "syslog" : "syslog:\(socket)"
        case .file(let path): path
        }
    }
}
