#if canImport(Glibc)
import Glibc
#endif

/// Sends records to a syslog daemon's unix datagram socket (`/dev/log`: journald or
/// rsyslog), as glibc's `syslog(3)` does, with `ident[pid]` and a facility.
///
/// The socket is connected at start-up, so a missing daemon stops `serve` with its path
/// instead of losing every line. Later, a send that fails (daemon restarted) reconnects
/// once and retries; a record that still cannot be sent goes to standard error, as
/// `LOG_CONS` sends it to the console.
public final class SyslogSocket: LogSink, @unchecked Sendable {
    public let path: String
    public let facility: SyslogFacility
    public let ident: String
    // @unchecked: the descriptor (-1 when disconnected) is only used while holding this lock.
    private let descriptor: Locked<Int32>

    /// RFC 3164's limit, to which a record the socket refuses as too long is cut.
    static let shortRecordLength = 1024

    public init(path: String, facility: SyslogFacility, ident: String) throws(SystemCallError) {
        self.path = path
        self.facility = facility
        self.ident = ident
        descriptor = Locked(try Self.connect(path))
    }

    deinit {
        descriptor.withLock { if $0 >= 0 { close($0) } }
    }

    public func write(_ record: LogRecord) {
        var text = record.label == ident ? "" : "\(record.label): "
        if let metadata = record.metadataText { text += metadata + " " }
        text += record.message
        let line = SyslogLine(facility: facility, level: record.level, ident: ident, pid: getpid(), text: text)
            .rendered(at: record.time)
        let sent = descriptor.withLock { fd in send(Array(line.utf8), on: &fd) }
        if !sent { _ = writeAll(Array((line + "\n").utf8), to: 2) }
    }

    private func send(_ bytes: [UInt8], on fd: inout Int32) -> Bool {
        for attempt in 0..<2 {
            if fd < 0 {
                guard let fresh = try? Self.connect(path) else { return false }
                fd = fresh
            }
            switch Self.sendDatagram(bytes, fd) {
            case nil:
                return true
            case EMSGSIZE?:
                return Self.sendDatagram(Array(bytes.prefix(Self.shortRecordLength)), fd) == nil
            default:
                close(fd)
                fd = -1
                if attempt == 1 { return false }
            }
        }
        return false
    }

    /// The errno of a failed send, nil when sent.
    private static func sendDatagram(_ bytes: [UInt8], _ fd: Int32) -> Int32? {
        while true {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n >= 0 { return nil }
            if errno != EINTR { return errno }
        }
    }

    private static func connect(_ path: String) throws(SystemCallError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard bytes.count < capacity else {
            throw SystemCallError(operation: "connect", path: path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError(operation: "socket", path: path, errno: errno) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let failure = errno
            close(fd)
            throw SystemCallError(operation: "connect", path: path, errno: failure)
        }
        return fd
    }
}
