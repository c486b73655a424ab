import NetworkService
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
        let client = try LoopbackClient(port: port)
        try client.write("EHLO early\r\n")
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(try acceptBacklog(port: port), 1, "accepted before run()")

        let running = Task { try await server.run() }
        XCTAssertTrue(try client.read().hasPrefix("220 mx.test"))
        XCTAssertEqual(try acceptBacklog(port: port), 0)
        client.close()
        await server.close()
        _ = try? await running.value
    }
}
