import Delivery
import Foundation
import MoatCore
import Queue
import XCTest

/// Opportunistic STARTTLS (`tls_security_level = "may"`) against a sink with a
/// self-signed certificate made by openssl for the test.
final class TLSDeliveryTests: DeliveryTestCase {
    override class func setUp() {
        super.setUp()
        // Made here, before any test: openssl runs blocking (posix_spawn + waitpid),
        // which would otherwise hold a concurrency pool thread inside the first test.
        _ = TestCertificate.serverContext
    }

    private func tlsScript() throws -> SMTPSink.Script {
        var script = SMTPSink.Script()
        script.offerSTARTTLS = true
        script.tls = try TestCertificate.serverContext.get()
        return script
    }

    private func maySettings(_ port: Int) -> DeliverySettings {
        settings(smtpPort: port) { $0.tlsSecurityLevel = .may }
    }

    func testSTARTTLSIsUsedWhenOfferedWithoutVerifyingTheCertificate() async throws {
        let sink = try await SMTPSink(script: try tlsScript())
        let outcomes = await deliver(try deliverer(maySettings(sink.port)), message(), to: ["a@pref4.moattest"])
        XCTAssertEqual(outcomes, [.delivered])
        let sessions = await sink.finishedSessions()
        guard sessions.count == 1 else { return XCTFail("expected one session: \(sessions)") }
        XCTAssertTrue(sessions[0].tls, "the sink saw the TLS handshake")
        XCTAssertEqual(sessions[0].commands.filter { $0.hasPrefix("EHLO") }, ["EHLO moat.moattest", "EHLO moat.moattest"],
                       "greeted again inside TLS")
        XCTAssertEqual(Array(sessions[0].commands.prefix(3)), ["EHLO moat.moattest", "STARTTLS", "EHLO moat.moattest"])
        XCTAssertEqual(sessions[0].messages, [Self.body])
    }

    func testFailedHandshakeIsRetriedOnceInPlaintext() async throws {
        var script = try tlsScript()
        script.breakTLS = true
        let sink = try await SMTPSink(script: script)
        let outcomes = await deliver(try deliverer(maySettings(sink.port)), message(), to: ["a@pref4.moattest"])
        XCTAssertEqual(outcomes, [.delivered])
        let sessions = await sink.finishedSessions()
        guard sessions.count == 2 else { return XCTFail("expected two sessions: \(sessions)") }
        XCTAssertTrue(sessions[0].commands.contains("STARTTLS"))
        XCTAssertEqual(sessions[0].messages, [])
        XCTAssertFalse(sessions[1].commands.contains("STARTTLS"), "the retry does not ask again: \(sessions[1].commands)")
        XCTAssertFalse(sessions[1].tls)
        XCTAssertEqual(sessions[1].messages, [Self.body])
    }

    func testLevelNoneNeverAsks() async throws {
        let sink = try await SMTPSink(script: try tlsScript())
        let outcomes = await deliver(try deliverer(settings(smtpPort: sink.port)), message(), to: ["a@pref4.moattest"])
        XCTAssertEqual(outcomes, [.delivered])
        let sessions = await sink.finishedSessions()
        guard sessions.count == 1 else { return XCTFail("expected one session: \(sessions)") }
        XCTAssertFalse(sessions[0].commands.contains("STARTTLS"))
        XCTAssertFalse(sessions[0].tls)
    }

    /// Measures remote throughput to a loopback sink, one message per session.
    func testRemoteDeliveryRate() async throws {
        for level in [DeliverySettings.TLSLevel.none, .may] {
            let sink = try await SMTPSink(script: try tlsScript())
            let deliverer = try deliverer(settings(smtpPort: sink.port) { $0.tlsSecurityLevel = level })
            let count = 100
            await measureSequentialDeliveries(count, by: deliverer, to: "a@pref4.moattest",
                                              label: "remote delivery (tls \(level))",
                                              detail: "sequential, MX lookup and a session each")
            XCTAssertEqual(sink.sessions.filter(\.tls).count, level == .may ? count : 0)
        }
    }

    func testServerWithoutSTARTTLSGetsPlaintext() async throws {
        let sink = try await SMTPSink()
        let outcomes = await deliver(try deliverer(maySettings(sink.port)), message(), to: ["a@pref4.moattest"])
        XCTAssertEqual(outcomes, [.delivered])
        XCTAssertEqual(sink.sessions.first?.commands.contains("STARTTLS"), false)
    }
}
