import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny clamd stand-in on loopback (TCP port 0) or a unix socket path, speaking just
/// enough of `zINSTREAM` to test `ClamdClient`'s side of the protocol.
final class FakeClamd: @unchecked Sendable {
    enum Behaviour: Sendable {
        /// "stream: Eicar-Test-Signature FOUND" when the stream contains EICAR, else "stream: OK".
        case scan
        /// Answer this line (NUL appended) after reading the stream.
        case reply(String)
        /// Read the stream, then never answer (the client must time out).
        case silent
        /// Answer `reply` and close as soon as `limit` stream bytes have arrived.
        case sizeLimit(Int)
    }

    private let listener: Int32
    private let behaviour: Behaviour
    private let state = NSLock()
    private var _largestChunk = 0
    private var _received: [[UInt8]] = []
    private var _commands: [String] = []
    let port: UInt16
    let socketPath: String?

    /// Largest chunk length the client announced.
    var largestChunk: Int { state.withLock { _largestChunk } }
    /// Each connection's reassembled stream.
    var received: [[UInt8]] { state.withLock { _received } }
    var commands: [String] { state.withLock { _commands } }

    init(behaviour: Behaviour, unixPath: String? = nil) throws {
        self.behaviour = behaviour
        self.socketPath = unixPath
        let fd: Int32
        if let unixPath {
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: unixPath.utf8) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            port = 0
        } else {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            guard bound else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            port = UInt16(bigEndian: address.sin_port)
        }
        listener = fd
        guard listen(listener, 16) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var spec: String { socketPath.map { "unix:\($0)" } ?? "tcp:127.0.0.1:\(port)" }

    /// Stops accepting; the accept loop ends on the shutdown.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        if let socketPath { unlink(socketPath) }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let thread = Thread { [self] in
                serve(client)
                close(client)
            }
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        var command: [UInt8] = []
        while command.last != 0 {
            guard let byte = readExactly(client, 1) else { return }
            command += byte
        }
        state.withLock { _commands.append(String(decoding: command.dropLast(), as: UTF8.self)) }
        var stream: [UInt8] = []
        while true {
            guard let header = readExactly(client, 4) else { return }
            let length = header.reduce(0) { $0 << 8 | Int($1) }
            state.withLock { _largestChunk = max(_largestChunk, length) }
            if length == 0 { break }
            guard let chunk = readExactly(client, length) else { return }
            stream += chunk
            if case .sizeLimit(let limit) = behaviour, stream.count > limit {
                state.withLock { _received.append(stream) }
                write(client, "INSTREAM size limit exceeded. ERROR")
                return
            }
        }
        state.withLock { _received.append(stream) }
        switch behaviour {
        case .scan:
            let infected = stream.count >= TestData.eicar.count
                && (0...(stream.count - TestData.eicar.count)).contains { stream[$0..<$0 + TestData.eicar.count].elementsEqual(TestData.eicar) }
            write(client, infected ? "stream: Eicar-Test-Signature FOUND" : "stream: OK")
        case .reply(let line):
            write(client, line)
        case .silent:
            Thread.sleep(forTimeInterval: 3)
        case .sizeLimit:
            write(client, "stream: OK")
        }
    }

    private func write(_ client: Int32, _ line: String) {
        let bytes = Array(line.utf8) + [0]
        _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func readExactly(_ client: Int32, _ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress! + filled, count - filled, 0) }
            if got <= 0 { return nil }
            filled += got
        }
        return buffer
    }
}
