import NetworkService
import Foundation
import Logging
import MoatCore
import NIOCore
import NIOPosix
import XCTest
@testable import SMTP

/// `SMTPServer.reconfigure`, what a reload does to a listener: the next connection gets the
/// new service, a session already open keeps the one it began with.
final class ServerReconfigureTests: XCTestCase {
    private struct Answer: SMTPMessageHandler {
        let text: String
        func handle(_ transaction: SMTPTransaction) async -> SMTPDeliveryOutcome { .single(SMTPReply(250, "2.0.0", text)) }
    }

    private func service(_ hostname: String, answer: String) -> SMTPServer.Service {
        SMTPServer.Service(settings: SMTPServerSettings(hostname: hostname),
                           limits: SMTPServer.Limits(admission: ConnectionAdmission.Rules(maxConnections: 4),
                                                     timeouts: SessionTimeouts(idle: .seconds(10))),
                           handler: Answer(text: answer))
    }

    func testOpenSessionKeepsItsServiceAndTheNextGetsTheNewOne() async throws {
        let server = try await SMTPServer.bind(host: "127.0.0.1", port: 0, service: service("old.test", answer: "old"),
                                               group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"))
        let running = Task { try await server.run() }
        let port = try XCTUnwrap(server.localAddress.port)

        let open = try LoopbackClient(port: port)
        XCTAssertTrue(try open.read().hasPrefix("220 old.test"))
        try open.write("HELO client.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
        _ = try open.read(until: "354")

        server.reconfigure(service("new.test", answer: "new"))

        try open.write("Subject: x\r\n\r\nbody\r\n.\r\n")
        XCTAssertTrue(try open.read(until: "250 2.0.0").contains("250 2.0.0 old"))
        let next = try LoopbackClient(port: port)
        XCTAssertTrue(try next.read().hasPrefix("220 new.test"))
        try next.write("HELO client.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
        _ = try next.read(until: "354")
        try next.write("Subject: x\r\n\r\nbody\r\n.\r\n")
        XCTAssertTrue(try next.read(until: "250 2.0.0").contains("250 2.0.0 new"))
        open.close()
        next.close()
        await server.close()
        _ = try? await running.value
    }
}
