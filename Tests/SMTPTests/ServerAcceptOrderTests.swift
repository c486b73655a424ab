import Foundation
import Logging
import MoatCore
import NIOCore
import NIOPosix
import XCTest
@testable import SMTP

/// `moat serve` binds as root and switches to its service account before `run()`: until
/// then a listener must not accept (let alone read) a single connection.
final class ServerAcceptOrderTests: XCTestCase {
    private struct Refuse: SMTPMessageHandler {
        func handle(_ transaction: SMTPTransaction) async -> SMTPDeliveryOutcome { .single(SMTPReply(554, "5.7.1", "no")) }
    }

    /// Connections waiting in the kernel's accept queue of the loopback listener on `port`
    /// (the rx_queue column of a LISTEN row in /proc/net/tcp).
    private func acceptBacklog(port: Int) throws -> Int? {
        let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
        let local = String(format: "0100007F:%04X", port)
        for row in table.split(separator: "\n").dropFirst() {
            let fields = row.split(separator: " ")
            guard fields.count > 4, fields[1] == local, fields[3] == "0A" else { continue }
            return Int(fields[4].split(separator: ":")[1], radix: 16)
        }
        return nil
    }

    func testNothingIsAcceptedBeforeRunAndTheWaitingClientIsServedAfter() async throws {
        let server = try await SMTPServer.bind(
            host: "127.0.0.1", port: 0, settings: SMTPServerSettings(hostname: "mx.test"),
            limits: SMTPServer.Limits(admission: ConnectionAdmission.Rules(maxConnections: 4),
                                      timeouts: SessionTimeouts(idle: .seconds(5))),
            handler: Refuse(), group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"))
        let port = try XCTUnwrap(server.localAddress.port)
        // The hostile client: connects and talks at once, between bind and run.
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        XCTAssertEqual(send(client, "EHLO early\r\n", 12, 0), 12)
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(try acceptBacklog(port: port), 1, "accepted before run()")

        let running = Task { try await server.run() }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = recv(client, &buffer, buffer.count, 0)
        XCTAssertTrue(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self).hasPrefix("220 mx.test"))
        XCTAssertEqual(try acceptBacklog(port: port), 0)
        close(client)
        await server.close()
        _ = try? await running.value
    }
}
