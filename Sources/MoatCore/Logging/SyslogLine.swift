import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One record as glibc's `syslog(3)` sends it to `/dev/log` (RFC 3164 shape):
/// `<PRI>Mmm dd hh:mm:ss ident[pid]: text`, PRI being `facility * 8 + severity`, the time
/// local, the day padded with a space (`Dec  7`). journald and rsyslog parse exactly this.
public struct SyslogLine: Sendable, Equatable {
    public var facility: SyslogFacility
    public var severity: Int
    public var ident: String
    public var pid: Int32
    public var text: String

    public init(facility: SyslogFacility, level: Logger.Level, ident: String, pid: Int32, text: String) {
        self.facility = facility
        self.severity = Self.severity(of: level)
        self.ident = ident
        self.pid = pid
        self.text = text
    }

    /// RFC 5424 §6.2.1 severities for swift-log's levels; `trace` has no syslog level below
    /// `debug`, so it shares 7.
    public static func severity(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// The datagram's text, stamped with `time` (Unix seconds) in local time.
    public func rendered(at time: time_t) -> String {
        "<\(facility.code * 8 + severity)>\(LocalTime.format("%h %e %T", time)) \(ident)[\(pid)]: \(text)"
    }
}

/// `strftime` in the local time zone, as syslog(3) and swift-log's stream handler stamp lines.
enum LocalTime {
    static func format(_ pattern: String, _ time: time_t) -> String {
        var seconds = time
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return "-" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
