import Foundation

/// A real dnsmasq (Debian `dnsmasq-base`) serving test records on 127.0.0.1 and a port
/// picked at run time. Only loopback; stopped by `stop()` (and on deinit).
public final class DNSMasq: @unchecked Sendable {
    public static let binary = "/usr/sbin/dnsmasq"
    public let port: UInt16
    private let process: Process

    public var server: String { "127.0.0.1:\(port)" }

    /// `records`: dnsmasq options such as `--host-record=…`, `--txt-record=…`.
    /// Names under `.moattest` that are not defined answer NXDOMAIN (`--local=/moattest/`).
    /// Not `.test`: libunbound answers the RFC 6761 names (test, invalid, localhost…)
    /// itself, NXDOMAIN, without asking the forwarder.
    public init(records: [String]) throws {
        var lastError: Error = DNSMasqError("dnsmasq did not start")
        for _ in 0..<5 {
            let port = try Self.freeUDPPort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = [
                "--no-daemon", "--port=\(port)", "--listen-address=127.0.0.1", "--bind-interfaces",
                "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=", "--user=\(NSUserName())",
                "--local=/moattest/", "--local-ttl=300",
            ] + records
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if Self.waitUntilAnswering(port: port, process: process) {
                self.port = port
                self.process = process
                return
            }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            lastError = DNSMasqError("dnsmasq on port \(port) did not answer")
        }
        throw lastError
    }

    deinit { stop() }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Binds a UDP socket to 127.0.0.1:0 to learn a free port, then closes it.
    public static func freeUDPPort() throws -> UInt16 {
        let socket = try UDPSocket()
        return socket.port
    }

    /// Sends a query for `ready.moattest` until any reply comes (at most ~5 s).
    private static func waitUntilAnswering(port: UInt16, process: Process) -> Bool {
        guard let probe = try? UDPSocket() else { return false }
        let query: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                              5] + Array("ready".utf8) + [8] + Array("moattest".utf8) + [0, 0, 1, 0, 1]
        for _ in 0..<50 {
            guard process.isRunning else { return false }
            probe.send(query, to: port)
            if probe.receive(timeoutMilliseconds: 100) != nil { return true }
        }
        return false
    }
}

public struct DNSMasqError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A UDP socket on 127.0.0.1 and an ephemeral port. Left unread, it is a DNS server
/// that never answers.
public final class UDPSocket: @unchecked Sendable {
    public let fd: Int32
    public let port: UInt16

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw DNSMasqError("socket: \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw DNSMasqError("bind: \(errno)")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.fd = fd
        self.port = UInt16(bigEndian: addr.sin_port)
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8], to port: UInt16) {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    public func receive(timeoutMilliseconds: Int32) -> [UInt8]? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, timeoutMilliseconds) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1500)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? Array(buffer.prefix(n)) : nil
    }
}
