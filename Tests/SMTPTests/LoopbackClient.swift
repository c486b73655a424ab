import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback client reading whatever the server sent so far.
final class LoopbackClient {
    private let fd: Int32
    private var received = ""

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw POSIXError(.EIO) }
    }

    /// Reads until the text received holds `marker` (or the first line without one).
    func read(until marker: String? = nil) throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<100 {
            if let marker, received.contains(marker) { break }
            if marker == nil, received.contains("\r\n") { break }
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { throw POSIXError(.ECONNRESET) }
            received += String(decoding: buffer.prefix(count), as: UTF8.self)
        }
        defer { received = "" }
        return received
    }

    func close() { Glibc.close(fd) }
}
