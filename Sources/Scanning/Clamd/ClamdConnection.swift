#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One stream socket to clamd with a hard deadline on every operation.
///
/// Plain POSIX, non-blocking, and `poll` for the remaining time: the exchange runs on a
/// `BlockingWorkPool` thread, so it may block, but it must never block past the deadline,
/// however clamd (or whatever answers on that port) behaves.
final class ClamdConnection {
    private let fd: Int32
    private let endpoint: String
    private let deadline: ContinuousClock.Instant

    private init(fd: Int32, endpoint: String, deadline: ContinuousClock.Instant) {
        self.fd = fd
        self.endpoint = endpoint
        self.deadline = deadline
    }

    deinit { close(fd) }

    /// Connects within `connectTimeout` (and never past `deadline`).
    static func open(
        _ endpoint: ClamdEndpoint, connectTimeout: Duration, deadline: ContinuousClock.Instant
    ) throws(ScanError) -> ClamdConnection {
        let connectDeadline = min(ContinuousClock.now + connectTimeout, deadline)
        switch endpoint {
        case .unix(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                // ClamdEndpoint already bounded the length; the tail stays NUL.
                raw.copyBytes(from: path.utf8.prefix(raw.count - 1))
            }
            return try withUnsafeBytes(of: &address) { (raw) throws(ScanError) -> ClamdConnection in
                try connect(
                    family: AF_UNIX, address: raw, endpoint: endpoint, connectDeadline: connectDeadline,
                    deadline: deadline)
            }
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = streamSocketType
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0, let list else {
                throw .clamdConnectionFailed(
                    endpoint: endpoint.description, phase: "resolve", reason: String(cString: gai_strerror(status)))
            }
            defer { freeaddrinfo(list) }
            var lastError = ScanError.clamdConnectionFailed(
                endpoint: endpoint.description, phase: "connect", reason: "no addresses")
            var current: UnsafeMutablePointer<addrinfo>? = list
            while let info = current {
                current = info.pointee.ai_next
                guard let address = info.pointee.ai_addr else { continue }
                let raw = UnsafeRawBufferPointer(start: address, count: Int(info.pointee.ai_addrlen))
                do throws(ScanError) {
                    return try connect(
                        family: info.pointee.ai_family, address: raw, endpoint: endpoint,
                        connectDeadline: connectDeadline, deadline: deadline)
                } catch {
                    lastError = error
                }
            }
            throw lastError
        }
    }

    private static func connect(
        family: Int32, address: UnsafeRawBufferPointer, endpoint: ClamdEndpoint,
        connectDeadline: ContinuousClock.Instant, deadline: ContinuousClock.Instant
    ) throws(ScanError) -> ClamdConnection {
        let fd = socket(family, streamSocketType, 0)
        guard fd >= 0 else {
            throw .clamdConnectionFailed(endpoint: endpoint.description, phase: "socket", reason: errnoText())
        }
        // From here on the connection object owns (and closes) fd.
        let connection = ClamdConnection(fd: fd, endpoint: endpoint.description, deadline: deadline)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
        #if canImport(Darwin)
        // Darwin has no MSG_NOSIGNAL; a write to a socket clamd closed must not kill us.
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif

        // The buffer holds a sockaddr_un / sockaddr_in / sockaddr_in6; connect reads the
        // family field and as many bytes as we say.
        let result = posixConnect(
            fd, address.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(address.count))
        if result != 0 {
            // Unix sockets answer EAGAIN when clamd's backlog is full; both mean "wait".
            guard errno == EINPROGRESS || errno == EAGAIN || errno == EINTR else {
                throw .clamdConnectionFailed(endpoint: endpoint.description, phase: "connect", reason: errnoText())
            }
            try connection.wait(for: Int16(POLLOUT), until: connectDeadline, phase: "connect")
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            guard socketError == 0 else {
                throw .clamdConnectionFailed(
                    endpoint: endpoint.description, phase: "connect", reason: String(cString: strerror(socketError)))
            }
        }
        return connection
    }

    /// Writes all of `bytes`, waiting for buffer space as needed.
    func writeAll(_ bytes: UnsafeRawBufferPointer, phase: String) throws(ScanError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = send(fd, base + offset, bytes.count - offset, Self.sendFlags)
            if written > 0 {
                offset += written
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                try wait(for: Int16(POLLOUT), until: deadline, phase: phase)
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                throw .clamdConnectionFailed(endpoint: endpoint, phase: phase, reason: Self.errnoText())
            }
        }
    }

    /// Writes `bytes[range]`.
    func writeAll(_ bytes: [UInt8], _ range: Range<Int>, phase: String) throws(ScanError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ScanError) in try writeAll(UnsafeRawBufferPointer(rebasing: raw[range]), phase: phase) }
        }
        try result.get()
    }

    /// Reads until clamd closes the connection (it does after answering INSTREAM outside a
    /// session), refusing more than `limit` bytes.
    func readUntilClosed(limit: Int, phase: String) throws(ScanError) -> [UInt8] {
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                reply.append(contentsOf: buffer[..<count])
                guard reply.count <= limit else {
                    throw .clamdProtocolViolation(endpoint: endpoint, reply: "reply longer than \(limit) bytes")
                }
            } else if count == 0 {
                return reply
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                try wait(for: Int16(POLLIN), until: deadline, phase: phase)
            } else if errno == EINTR {
                continue
            } else if errno == ECONNRESET && !reply.isEmpty {
                // clamd said its piece and reset instead of closing; the reply is complete.
                return reply
            } else {
                throw .clamdConnectionFailed(endpoint: endpoint, phase: phase, reason: Self.errnoText())
            }
        }
    }

    private func wait(for events: Int16, until limit: ContinuousClock.Instant, phase: String) throws(ScanError) {
        while true {
            let remaining = limit - ContinuousClock.now
            guard remaining > .zero else { throw .clamdTimeout(endpoint: endpoint, phase: phase) }
            let (seconds, attoseconds) = remaining.components
            // Round up so a sub-millisecond remainder still waits instead of spinning.
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return }  // readable/writable, or HUP/ERR for the next call to report
            if ready < 0 && errno != EINTR {
                throw .clamdConnectionFailed(endpoint: endpoint, phase: phase, reason: Self.errnoText())
            }
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    #if canImport(Darwin)
    private static let sendFlags: Int32 = 0
    #else
    /// A write to a socket clamd already closed must fail with EPIPE, not raise SIGPIPE.
    private static let sendFlags = Int32(MSG_NOSIGNAL)
    #endif
}

#if canImport(Glibc) || canImport(Musl)
private let streamSocketType = Int32(SOCK_STREAM.rawValue)
#else
private let streamSocketType = SOCK_STREAM
#endif

/// The libc `connect`, renamed so it is not shadowed by `ClamdConnection.connect`.
private func posixConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
